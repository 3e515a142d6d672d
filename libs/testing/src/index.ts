export { exitOf, freePort, spawnTracked, stopProcess, waitUntil } from './processes.js';
export { startRedisServer, useOrStartRedis, waitForPing, type RedisServer } from './redis-server.js';
export { startRedisCluster, type RedisCluster } from './redis-cluster.js';
export { SseClient, type SseEvent } from './sse-client.js';
export { WsClient } from './ws-client.js';
export { startEdge, type EdgeProcess } from './edge-process.js';
