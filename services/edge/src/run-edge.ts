import { ConfigError, loadEdgeConfig } from '@tidings/config';
import { createLogger, createMetrics, stopOnSignal } from '@tidings/observability';
import { ListenError, UwsFallbackError } from '@tidings/transport-uws';
import { AuthSetupError } from './auth.js';
import { startEdge } from './edge.js';

/**
 * `tidings edge`: parse and check the configuration, start the node, drain it on SIGTERM/SIGINT.
 * Resolves with the exit code once the node has stopped (or could not start).
 */
export async function runEdge(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  let config;
  try {
    config = loadEdgeConfig(argv, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`tidings edge: invalid configuration\n${error.message}\n`);
    return 2;
  }
  const logger = createLogger({ level: config.logLevel, name: 'edge', nodeId: config.nodeId });
  const metrics = createMetrics(config.nodeId);
  let edge;
  try {
    edge = await startEdge(config, logger, metrics);
  } catch (error) {
    if (error instanceof AuthSetupError) {
      process.stderr.write(`tidings edge: ${error.message}\n`);
      return 2;
    }
    if (error instanceof UwsFallbackError || error instanceof ListenError) process.stderr.write(`tidings edge: ${error.message}\n`);
    else logger.fatal({ err: error }, 'could not start');
    return 1;
  }
  logger.info({ port: edge.port, host: config.host }, 'listening');

  return stopOnSignal(edge, logger, config.shutdown.graceSeconds, {
    stopping: 'draining',
    overdue: 'shutdown grace period over; exiting with sessions still open',
  });
}
