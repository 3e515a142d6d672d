export { createLogger, redactUrl, type Logger } from './logger.js';
export { createMetrics, type Counter, type Gauge, type Histogram, type Metrics } from './metrics.js';
