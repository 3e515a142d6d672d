// @tidings/contracts: the behaviour every implementation of a port must show, as test suites that
// take a factory. Each adapter's spec runs a suite against its implementations (Redis standalone,
// Redis Cluster) and the in-memory twin in core, so `tidings dev`'s in-process engine keeps the
// same rules as production.
export { type Backend, type Implementation, inMemory, runContract } from './run-contract.js';
export { ManualClock } from './manual-clock.js';
export { deviceStoreContract, type DeviceStoreFixture } from './device-store.contract.js';
export { consumerGroupsContract, type ConsumerGroupsFixture, type ConsumerGroupsOptions } from './consumer-groups.contract.js';
export { receiptStoreContract, type ReceiptStoreFixture } from './receipt-store.contract.js';
export { eventLogContract, type EventLogFixture, type EventLogOptions } from './event-log.contract.js';
export { presenceStoreContract, type PresenceStoreFixture } from './presence-store.contract.js';
export { rateLimiterContract, type RateLimiterOptions } from './rate-limiter.contract.js';
export { apiKeyStoreContract } from './api-key-store.contract.js';
export { nodeRegistryContract, type NodeRegistryFixture } from './node-registry.contract.js';
export { liveBusContract, type LiveBusFixture } from './live-bus.contract.js';
