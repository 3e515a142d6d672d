export { createRedisClient, createSubscriberFactory, type RedisClient, type RedisTarget } from './redis-client.js';
export { DEFAULT_MEMBER_IDLE_SECONDS, RedisEventLog, type RedisEventLogOptions, type Retention } from './redis-event-log.js';
export { RedisKeys, DIRECTORY_SHARDS } from './redis-keys.js';
export { RedisLiveBus, type RedisLiveBusOptions, parseNotification } from './redis-live-bus.js';
export { RedisReceiptStore } from './redis-receipt-store.js';
export { RedisPresenceStore } from './redis-presence-store.js';
export { RedisNodeRegistry } from './redis-node-registry.js';
