// @tidings/testing: real processes and real clients for tests — redis-server and Redis Cluster
// on free ports, edge and worker processes, SSE and WebSocket clients. No mocks. Everything spawned here is
// killed by PID when the test process exits, at the latest.
export { freePort } from './free-port.js';
export { exitOf, isRunning, makeTempDir, removeTempDir, spawnTracked, stopProcess } from './spawn-tracked.js';
export { waitUntil } from './wait-until.js';
export { redisCommand } from './redis-command.js';
export { startRedisServer, useOrStartRedis, type RedisServer } from './redis-server.js';
export { startRedisCluster, type RedisCluster } from './redis-cluster.js';
export { SseParser, type SseEvent, type SseHandlers } from './sse-parser.js';
export { SseClient } from './sse-client.js';
export { WsClient, WsRejectedError, type Frame } from './ws-client.js';
export { startEdge, type EdgeOptions, type EdgeProcess } from './edge-process.js';
export { startWorker, type WorkerOptions } from './worker-process.js';
export type { ServiceProcess } from './service-process.js';
export { TcpBalancer } from './faults/tcp-balancer.js';
export { DeliveryLedger, type DeliveryReport, type Receiver, type SubscriberTally } from './faults/delivery-ledger.js';
export { startDurableSubscriber, type DurableSubscriber, type SubscriberSpec, type Transport } from './faults/durable-subscribers.js';
export { SteadyPublisher } from './faults/steady-publisher.js';
export { runThroughFault, type FaultReport, type FaultRunOptions } from './faults/fault-run.js';
export { startPersistentRedis, type AppendFsync, type PersistentRedis } from './faults/persistent-redis.js';
export { startEdgeFleet, type EdgeFleet } from './faults/edge-fleet.js';
export { CI_SCALE, clusterMasterKill, clusterSlotMigration, clusterSteady, edgeKill, FULL_SCALE, redisRestart, rollingRestart, type Scale, scaleOutAndIn, type ScenarioReport } from './faults/scenarios.js';
export { type ReceiptTally, type WorkerFault, type WorkerFaultReport, workerFaults, workerScale } from './faults/worker-faults.js';
export { FaultProxy } from './faults/fault-proxy.js';
export { type EdgeMemory, type NetworkFaultReport, type NetworkLeg, networkFaults } from './faults/network-faults.js';
export { slowConsumers, type SlowConsumersReport } from './faults/slow-consumers.js';
export { soak, type SoakReport, type SoakSnapshot } from './faults/soak.js';
