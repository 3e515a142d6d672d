import { ConfigError, type EdgeConfig, loadEdgeConfig } from '@tidings/config';
import { type Logger, type Metrics, createLogger, createMetrics, stopOnSignal } from '@tidings/observability';
import { ListenError, UwsFallbackError } from '@tidings/transport-uws';
import { AuthSetupError } from './auth/auth.js';
import { ApiKeySeedError } from './auth/seed-api-keys.js';
import { OpsListenError, startEdge } from './edge.js';
import { MqttListenError } from './mqtt/mqtt-tcp-listener.js';
import { runEdgeGroup } from './group/run-edge-group.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `tidings edge`: parse and check the configuration, then run one node — or, with --processes N,
 * a supervisor of N nodes sharing the port. Resolves with the exit code once everything has
 * stopped (or could not start).
 */
export async function runEdge(argv: readonly string[], env: Env): Promise<number> {
  const config = readEdgeConfig(argv, env);
  if (config === undefined) return 2;
  const logger = createLogger({ level: config.logLevel, name: 'edge', nodeId: config.nodeId });
  if (config.processes > 1) return runEdgeGroup(config, argv, env, logger);
  return serveEdge(config, logger, createMetrics(config.nodeId), (port, metricsPort, mqttPort) =>
    logger.info({ port, host: config.host, ...(metricsPort === null ? {} : { metricsPort }), ...(mqttPort === null ? {} : { mqttPort }) }, 'listening'),
  );
}

/** The configuration, or undefined once the problems are on stderr (exit 2). */
export function readEdgeConfig(argv: readonly string[], env: Env): EdgeConfig | undefined {
  try {
    return loadEdgeConfig(argv, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`tidings edge: invalid configuration\n${error.message}\n`);
    return undefined;
  }
}

/**
 * Starts one node, reports its port through `listening`, and drains it on SIGTERM/SIGINT. Resolves
 * with the exit code: 0 after a clean drain, 1 when it could not start or stop, 2 for an auth setup
 * that cannot work.
 */
export async function serveEdge(config: EdgeConfig, logger: Logger, metrics: Metrics, listening: (port: number, metricsPort: number | null, mqttPort: number | null) => void): Promise<number> {
  let edge;
  try {
    edge = await startEdge(config, logger, metrics);
  } catch (error) {
    if (error instanceof AuthSetupError || error instanceof ApiKeySeedError) {
      process.stderr.write(`tidings edge: ${error.message}\n`);
      return 2;
    }
    if (error instanceof UwsFallbackError || error instanceof ListenError || error instanceof OpsListenError || error instanceof MqttListenError) process.stderr.write(`tidings edge: ${error.message}\n`);
    else logger.fatal({ err: error }, 'could not start');
    return 1;
  }
  listening(edge.port, edge.metricsPort, edge.mqttPort);

  return stopOnSignal(edge, logger, config.shutdown.graceSeconds, {
    stopping: 'draining',
    overdue: 'shutdown grace period over; exiting with sessions still open',
  });
}
