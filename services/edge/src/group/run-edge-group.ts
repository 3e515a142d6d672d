import { fileURLToPath } from 'node:url';
import type { EdgeConfig } from '@tidings/config';
import { type Logger, type OpsServer, createEdgeGroupMetrics, startOpsServer, stopOnSignal } from '@tidings/observability';
import { type PortClaim, PortClaimedError, claimPort } from './claim-port.js';
import { EdgeSupervisor, GroupStartError } from './edge-supervisor.js';
import { pickFreePort } from './pick-free-port.js';
import { RESTART_POLICY } from './restart-policy.js';

const MEMBER_MAIN = fileURLToPath(new URL('./member-main.js', import.meta.url));
/** How long a scrape waits for each member; a member's own wait for the group is longer. */
const SCRAPE_TIMEOUT_MS = 2_000;
/** The members drain under the grace period themselves; the supervisor waits a little longer for their exits. */
const EXIT_MARGIN_SECONDS = 5;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `tidings edge --processes N`: this process becomes the supervisor of N edge processes sharing
 * one port, logs "listening" once all serve, and drains them all on SIGTERM/SIGINT. Resolves with
 * the exit code: 0 after a clean drain, 1 when the group could not start, gave up on a member, or
 * did not stop cleanly, 2 when it cannot run here.
 */
export async function runEdgeGroup(config: EdgeConfig, argv: readonly string[], env: Env, rootLogger: Logger): Promise<number> {
  if (process.platform !== 'linux') {
    process.stderr.write('tidings edge: --processes above 1 needs Linux, where processes can share a port and the kernel spreads connections over them\n');
    return 2;
  }
  if (config.mqtt.port !== null) {
    // Node's TCP listener cannot share a port between processes the way uWS does.
    process.stderr.write('tidings edge: --mqtt-port runs on a single edge process; with --processes N use MQTT over WebSocket (/mqtt)\n');
    return 2;
  }
  const logger = rootLogger.child({ module: 'supervisor' });
  let port: number;
  let claim: PortClaim;
  try {
    port = config.port === 0 ? await pickFreePort(config.host) : config.port;
    claim = await claimPort(config.host, port);
  } catch (error) {
    // Not an address of this machine, say: the same failure a lone edge reports when it cannot listen.
    const reason = error instanceof PortClaimedError ? error.message : `could not reserve a port on ${config.host}: ${error instanceof Error ? error.message : String(error)}`;
    process.stderr.write(`tidings edge: ${reason}\n`);
    return 1;
  }
  try {
    return await superviseGroup(config, { argv, env, port }, logger);
  } finally {
    claim.release();
  }
}

async function superviseGroup(config: EdgeConfig, run: { argv: readonly string[]; env: Env; port: number }, logger: Logger): Promise<number> {
  const groupMetrics = createEdgeGroupMetrics(config.nodeId);
  const supervisor = new EdgeSupervisor(
    {
      processes: config.processes,
      node: config.nodeId,
      port: run.port,
      main: MEMBER_MAIN,
      argv: run.argv,
      env: run.env,
      // Debugger flags would make every member try to open the same inspector port.
      execArgv: process.execArgv.filter((flag) => !flag.startsWith('--inspect')),
      restart: RESTART_POLICY,
      scrapeTimeoutMs: SCRAPE_TIMEOUT_MS,
    },
    groupMetrics,
    logger,
  );
  const graceSeconds = config.shutdown.graceSeconds + EXIT_MARGIN_SECONDS;
  try {
    await supervisor.start();
  } catch (error) {
    if (!(error instanceof GroupStartError)) throw error;
    process.stderr.write(`tidings edge: ${error.message}\n`);
    await stopWithin(supervisor, graceSeconds, logger);
    return 1;
  }
  let ops: OpsServer | undefined;
  if (config.metrics.port !== null) {
    try {
      ops = await startOpsServer(config.metrics.host, config.metrics.port, {
        metrics: () => supervisor.renderMetrics(),
        contentType: groupMetrics.registry.contentType,
        readiness: () => supervisor.readiness(),
      });
    } catch (error) {
      process.stderr.write(`tidings edge: cannot listen for /metrics on ${config.metrics.host}:${config.metrics.port}: ${error instanceof Error ? error.message : String(error)}\n`);
      await stopWithin(supervisor, graceSeconds, logger);
      return 1;
    }
  }
  try {
    return await serveGroup(supervisor, config, run.port, graceSeconds, ops?.port ?? null, logger);
  } finally {
    await ops?.close();
  }
}

async function serveGroup(supervisor: EdgeSupervisor, config: EdgeConfig, port: number, graceSeconds: number, metricsPort: number | null, logger: Logger): Promise<number> {
  logger.info({ port, host: config.host, processes: config.processes, nodes: supervisor.nodes, ...(metricsPort === null ? {} : { metricsPort }) }, 'listening');

  const signalled = stopOnSignal(supervisor, logger, graceSeconds, {
    stopping: 'draining the edge group',
    overdue: 'shutdown grace period over; ending the edge processes still running',
  });
  const outcome = await Promise.race([signalled.then((code) => ({ code })), supervisor.failed.then((error) => ({ error }))]);
  if ('error' in outcome) {
    logger.fatal({ err: outcome.error }, 'giving up on the edge group');
    process.stderr.write(`tidings edge: ${outcome.error.message}\n`);
    await stopWithin(supervisor, graceSeconds, logger);
    return 1;
  }
  if (outcome.code !== 0) supervisor.kill();
  return outcome.code;
}

/** Drains the group, ending whatever still runs after `graceSeconds`. */
async function stopWithin(supervisor: EdgeSupervisor, graceSeconds: number, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const overdue = new Promise<'overdue'>((resolve) => (timer = setTimeout(() => resolve('overdue'), graceSeconds * 1000)));
  const result = await Promise.race([supervisor.stop().then(() => 'stopped' as const, (error: unknown) => error), overdue]);
  clearTimeout(timer);
  if (result === 'stopped') return;
  if (result === 'overdue') logger.error('shutdown grace period over; ending the edge processes still running');
  else logger.error({ err: result }, 'the edge group did not stop cleanly');
  supervisor.kill();
}
