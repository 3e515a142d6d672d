import { type Metrics, createLogger, createMetrics, snapshotMetrics } from '@tidings/observability';
import { readEdgeConfig, serveEdge } from '../run-edge.js';
import { SupervisorLink } from './supervisor-link.js';

/** A scrape waits this long for the supervisor, which itself waits less for each member. */
export const MEMBER_SCRAPE_TIMEOUT_MS = 5_000;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * One member of `tidings edge --processes N`, forked by the supervisor with the group's flags
 * followed by its own (node id, port). It is an ordinary node except that it shares the port, its
 * /metrics answers for the whole group, and it drains when the supervisor goes away.
 */
export async function runGroupMember(argv: readonly string[], env: Env): Promise<number> {
  if (!process.send) {
    process.stderr.write('tidings edge: this entry point is started by `tidings edge --processes N`; run `tidings edge` instead\n');
    return 2;
  }
  const config = readEdgeConfig(argv, env);
  if (config === undefined) return 2;
  const logger = createLogger({ level: config.logLevel, name: 'edge', nodeId: config.nodeId });
  const own = createMetrics(config.nodeId);
  const link = new SupervisorLink(process, () => snapshotMetrics(own.registry), logger.child({ module: 'group' }), MEMBER_SCRAPE_TIMEOUT_MS);
  // A scrape reaches whichever member the kernel picked; each answers for the group.
  const metrics: Metrics = { ...own, render: () => link.scrape() };
  link.onSupervisorGone(() => {
    logger.warn('the supervisor of this edge group is gone; draining');
    // The same drain as on a signal, so an orphan never keeps the port.
    process.kill(process.pid, 'SIGTERM');
  });
  // The supervisor holds the group's ops listener; members only answer its scrapes.
  const member = { ...config, metrics: { ...config.metrics, port: null } };
  return serveEdge(member, logger, metrics, (port) => link.ready(port));
}
