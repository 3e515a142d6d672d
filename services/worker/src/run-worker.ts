import { ConfigError, loadWorkerConfig } from '@tidings/config';
import { createLogger, createWorkerMetrics, stopOnSignal } from '@tidings/observability';
import { PRUNE_KINDS } from './pruner.js';
import { EvictionPolicyError, startWorker } from './worker.js';

/**
 * `tidings worker`: parse and check the configuration, start, and on SIGTERM/SIGINT let running
 * jobs finish. Resolves with the exit code once stopped (or could not start).
 */
export async function runWorker(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  let config;
  try {
    config = loadWorkerConfig(argv, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`tidings worker: invalid configuration\n${error.message}\n`);
    return 2;
  }
  const logger = createLogger({ level: config.logLevel, name: 'worker', nodeId: config.workerId });
  let worker;
  try {
    worker = await startWorker(config, logger, createWorkerMetrics(config.workerId, PRUNE_KINDS));
  } catch (error) {
    if (error instanceof EvictionPolicyError) process.stderr.write(`tidings worker: ${error.message}\n`);
    else logger.fatal({ err: error }, 'could not start');
    return 1;
  }
  logger.info({ metricsPort: worker.port }, 'working');

  return stopOnSignal(worker, logger, config.shutdown.graceSeconds, {
    stopping: 'finishing running jobs',
    overdue: 'shutdown grace period over; exiting with jobs still running (another worker takes them over)',
  });
}
