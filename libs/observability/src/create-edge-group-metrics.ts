import { Counter, Gauge, Registry } from 'prom-client';

/** What the supervisor of `tidings edge --processes N` counts, labelled with its own node id (the members' prefix). */
export interface EdgeGroupMetrics {
  readonly registry: Registry;
  /** tidings_edge_group_processes: members started and serving now. */
  readonly processes: Gauge<never>;
  /** tidings_edge_group_processes_configured: members the group should have (--processes). */
  readonly processesConfigured: Gauge<never>;
  /** tidings_edge_group_restarts_total: members started again after they ended unexpectedly. */
  readonly restartsTotal: Counter<never>;
  /** tidings_edge_group_scrape_timeouts_total: members left out of a /metrics answer because they did not hand in theirs in time. */
  readonly scrapeTimeoutsTotal: Counter<never>;
}

export function createEdgeGroupMetrics(nodeId: string): EdgeGroupMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ node: nodeId });
  const registers = [registry];
  return {
    registry,
    processes: new Gauge<never>({ name: 'tidings_edge_group_processes', help: 'Edge processes of this group started and serving.', registers }),
    processesConfigured: new Gauge<never>({
      name: 'tidings_edge_group_processes_configured',
      help: 'Edge processes this group runs when all is well (--processes).',
      registers,
    }),
    restartsTotal: new Counter<never>({ name: 'tidings_edge_group_restarts_total', help: 'Edge processes started again after they ended unexpectedly.', registers }),
    scrapeTimeoutsTotal: new Counter<never>({
      name: 'tidings_edge_group_scrape_timeouts_total',
      help: 'Edge processes left out of a /metrics answer because they did not hand in their metrics in time.',
      registers,
    }),
  };
}
