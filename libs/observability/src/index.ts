// @tidings/observability: the only lib that knows pino and prom-client. Libraries receive a
// Logger or a Metrics from the composition root; they never print.
export { REDACTED_PATHS, createLogger, type Logger, type LoggerOptions } from './create-logger.js';
export { createMetrics, type Counter, type Gauge, type Histogram, type Metrics, type Registry } from './create-metrics.js';
export { redactUrl } from './redact-url.js';
export { QUEUE_STATES, createWorkerMetrics, type WorkerMetrics } from './create-worker-metrics.js';
export { createEdgeGroupMetrics, type EdgeGroupMetrics } from './create-edge-group-metrics.js';
export { aggregateMetrics, snapshotMetrics, type MetricsSnapshot } from './aggregate-metrics.js';
export { stopOnSignal, type Stoppable } from './stop-on-signal.js';
export { startOpsServer, type OpsEndpoints, type OpsServer } from './ops-server.js';
