import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type { Counter, Gauge, Histogram };

/** Every metric an edge exports; names follow tidings_<subsystem>_<what>_<unit>, labels bounded. */
export interface Metrics {
  readonly registry: Registry;
  readonly publishedTotal: Counter<'transport'>;
  readonly deliveredTotal: Counter<'transport'>;
  readonly connections: Gauge<'transport'>;
  readonly slowConsumerDisconnectsTotal: Counter<'transport'>;
  readonly badRequestsTotal: Counter<'code'>;
  readonly gapFillsTotal: Counter;
  readonly resetsTotal: Counter<'reason'>;
  readonly redisReconnectsTotal: Counter;
  readonly channelFeeds: Gauge;
  readonly publishLatency: Histogram;
  readonly contentType: string;
  render(): Promise<string>;
}

/** A registry of its own per node (never prom-client's global one), labelled with the node id. */
export function createMetrics(nodeId: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ node: nodeId });
  collectDefaultMetrics({ register: registry, prefix: 'tidings_process_' });
  const registers = [registry];
  return {
    registry,
    publishedTotal: new Counter({ name: 'tidings_edge_published_events_total', help: 'Events published through this node.', labelNames: ['transport'], registers }),
    deliveredTotal: new Counter({ name: 'tidings_edge_delivered_events_total', help: 'Events written to subscriber connections.', labelNames: ['transport'], registers }),
    connections: new Gauge({ name: 'tidings_edge_connections', help: 'Open subscriber connections.', labelNames: ['transport'], registers }),
    slowConsumerDisconnectsTotal: new Counter({
      name: 'tidings_edge_slow_consumer_disconnects_total',
      help: 'Connections dropped because their send buffer passed the cap; they resume from their cursor.',
      labelNames: ['transport'],
      registers,
    }),
    badRequestsTotal: new Counter({ name: 'tidings_edge_rejected_requests_total', help: 'Requests and frames answered with an error, by error code.', labelNames: ['code'], registers }),
    gapFillsTotal: new Counter({ name: 'tidings_broker_gap_fills_total', help: 'Times the live path missed events and the log filled them in.', registers }),
    resetsTotal: new Counter({ name: 'tidings_edge_resets_total', help: 'Reset events sent: a cursor older than retention, or a lost stream.', labelNames: ['reason'], registers }),
    redisReconnectsTotal: new Counter({ name: 'tidings_broker_live_resubscribes_total', help: 'Times the live connection was restored and backfilled.', registers }),
    channelFeeds: new Gauge({ name: 'tidings_broker_channel_feeds', help: 'Channels this node follows live (one Redis subscription each or via a glob).', registers }),
    publishLatency: new Histogram({
      name: 'tidings_edge_publish_duration_seconds',
      help: 'Time to append an event to the log.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    contentType: registry.contentType,
    render: () => registry.metrics(),
  };
}
