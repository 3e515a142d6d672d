// @tidings/config: the one place that reads flags and environment variables. Each service's
// configuration is a zod schema parsed once at start-up into a frozen object.
export { ConfigError } from './config-error.js';
export { maskPassword, parseRedisUrl, type RedisTarget } from './redis-target.js';
export { LOG_LEVELS, defaultNodeId, type LogLevel } from './shared-options.js';
export { EDGE_FOREIGN_ENV, describeEdgeConfig, edgeConfigSchema, loadEdgeConfig, type EdgeConfig } from './edge-config.js';
export { WORKER_FOREIGN_ENV, describeWorkerConfig, loadWorkerConfig, splitGroupRef, workerConfigSchema, type WorkerConfig } from './worker-config.js';
export { describeDevConfig, devConfigSchema, loadDevConfig, type DevConfig } from './dev-config.js';
export type { ConfigOption } from './list-options.js';
export { asksForHelp, renderOptionsHelp } from './options-help.js';
export { renderConfigDoc } from './generate-config-doc.js';
export { renderHelmValuesSchema } from './generate-helm-values-schema.js';
