import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { collectProcessMetrics } from './collect-process-metrics.js';
import { type RedisCommandMetrics, redisCommandMetrics, redisPingHistogram } from './redis-metrics.js';

export type { Counter, Gauge, Histogram, Registry };

/**
 * Everything an edge node counts. Names follow `tidings_<subsystem>_<what>_<unit>`; every label
 * takes values from a fixed set (transports, reset reasons, error codes), so series stay bounded.
 */
export interface Metrics {
  readonly registry: Registry;
  /** tidings_edge_published_events_total{transport=http|ws|mqtt} */
  readonly publishedTotal: Counter<'transport'>;
  /**
   * tidings_edge_delivered_events_total{transport=sse|ws|poll|mqtt}. The fan-out path adds to
   * `deliveries` (plain numbers: a prom-client inc per delivery would cost more than the write's
   * share); they move into the counter whenever it is read.
   */
  readonly deliveredTotal: Counter<'transport'>;
  readonly deliveries: DeliveryCounts;
  /** tidings_edge_redelivered_events_total{transport=sse|ws|poll|mqtt}: the worker's retries written to devices. */
  readonly redeliveredTotal: Counter<'transport'>;
  /** tidings_edge_receipt_jobs_unqueued_total: ack events whose retry job could not be queued (the reconciler does it later). */
  readonly receiptJobsUnqueuedTotal: Counter<never>;
  /** tidings_edge_connections{transport=sse|ws|poll|mqtt} */
  readonly connections: Gauge<'transport'>;
  /** tidings_edge_slow_consumer_disconnects_total{transport} */
  readonly slowConsumerDisconnectsTotal: Counter<'transport'>;
  /** tidings_edge_rejected_requests_total{code=<ErrorCode>} */
  readonly badRequestsTotal: Counter<'code'>;
  /** tidings_broker_gap_fills_total: the live path missed events and the log filled them in. */
  readonly gapFillsTotal: Counter<never>;
  /** tidings_edge_resets_total{reason=retention|stream-lost|membership-expired}: clients told that history was lost. */
  readonly resetsTotal: Counter<'reason'>;
  /** tidings_broker_live_resubscribes_total: the live subscription was re-established. */
  readonly redisReconnectsTotal: Counter<never>;
  /** tidings_broker_channel_feeds: node-level live subscriptions currently held. */
  readonly channelFeeds: Gauge<never>;
  /** tidings_edge_publish_duration_seconds */
  readonly publishLatency: Histogram<never>;
  /**
   * tidings_edge_delivery_latency_seconds: from an event's append to Redis (its id's time) to the
   * end of the fan-out pass that wrote it to every local subscriber. One observation per pass, not
   * per write, so a burst to many connections costs one; it includes the clock skew between Redis
   * and this node.
   */
  readonly deliveryLatency: Histogram<never>;
  /** tidings_edge_resumes_total{transport=sse|ws}: subscriptions that resumed from a cursor (Last-Event-ID, since). */
  readonly resumesTotal: Counter<'transport'>;
  /** tidings_edge_receipts_total{status=received|processed|failed, transport=http|ws}: receipts devices sent. */
  readonly receiptsTotal: Counter<'status' | 'transport'>;
  /** tidings_redis_errors_total{connection=commands|live}: errors talking to Redis on this node's connections. */
  readonly redisErrorsTotal: Counter<'connection'>;
  /** tidings_redis_ping_duration_seconds: PING round trips on the command connection, every few seconds. */
  readonly redisPing: Histogram<never>;
  /** tidings_redis_command_duration_seconds{command} (sampled) and tidings_redis_command_errors_total{command}. */
  readonly redisCommands: RedisCommandMetrics;
  /** tidings_edge_presence_entries: devices online on this node, counted once per channel (what it reports to presence). */
  readonly presenceEntries: Gauge<never>;
  /** tidings_edge_subscriptions: channels and patterns followed by open connections on this node. */
  readonly subscriptions: Gauge<never>;
  /** tidings_edge_consumer_group_claimed_events_total: events handed to consumers of consumer groups. */
  readonly groupClaimedTotal: Counter<never>;
  /** tidings_edge_consumer_group_redelivered_events_total: of those, handed out again (a consumer died or let the visibility timeout pass). */
  readonly groupRedeliveredTotal: Counter<never>;
  /** tidings_edge_consumer_group_acked_events_total */
  readonly groupAckedTotal: Counter<never>;
  /** tidings_edge_consumer_group_nacked_events_total: given back by a consumer. */
  readonly groupNackedTotal: Counter<never>;
  /** tidings_edge_consumer_group_dead_letters_total: events moved to a group's dead letters after its maximum deliveries. */
  readonly groupDeadLettersTotal: Counter<never>;
  /** tidings_edge_consumer_group_resets_total: claims told that events were trimmed before the group got or acknowledged them. */
  readonly groupResetsTotal: Counter<never>;
  /** The Prometheus text exposition of every metric above plus the process defaults. */
  render(): Promise<string>;
  readonly contentType: string;
}

/** Events written per transport since the counter last read them. */
export interface DeliveryCounts {
  sse: number;
  ws: number;
  poll: number;
  mqtt: number;
}

const PUBLISH_TRANSPORTS = ['http', 'ws', 'mqtt'];
const DELIVERY_TRANSPORTS = ['sse', 'ws', 'poll', 'mqtt'];
const RESET_REASONS = ['retention', 'stream-lost', 'membership-expired'];
const PUBLISH_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const RESUME_TRANSPORTS = ['sse', 'ws'];
const RECEIPT_STATUSES = ['received', 'processed', 'failed'];
const EDGE_REDIS_CONNECTIONS = ['commands', 'live'];
const DELIVERY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * A fresh registry per call — never prom-client's global one, so two nodes (or two tests) in one
 * process do not share counters — with the process metrics under `tidings_` and every series
 * labelled `node`. Known label values start at zero so `rate()` sees them from the first scrape.
 */
export function createMetrics(nodeId: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ node: nodeId });
  collectProcessMetrics(registry);
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name, help, labelNames, registers });

  const publishedTotal = counter('tidings_edge_published_events_total', 'Events accepted for publishing by this node.', ['transport']);
  const deliveries: DeliveryCounts = { sse: 0, ws: 0, poll: 0, mqtt: 0 };
  const deliveredTotal = new Counter({
    name: 'tidings_edge_delivered_events_total',
    help: 'Events written to subscriber connections.',
    labelNames: ['transport'],
    registers,
    collect() {
      for (const transport of ['sse', 'ws', 'poll', 'mqtt'] as const) {
        if (deliveries[transport] === 0) continue;
        this.inc({ transport }, deliveries[transport]);
        deliveries[transport] = 0;
      }
    },
  });
  const redeliveredTotal = counter('tidings_edge_redelivered_events_total', 'Ack events written again to devices that had not answered (worker retries).', ['transport']);
  const connections = new Gauge({ name: 'tidings_edge_connections', help: 'Open subscriber connections.', labelNames: ['transport'], registers });
  const slowConsumerDisconnectsTotal = counter(
    'tidings_edge_slow_consumer_disconnects_total',
    'Connections closed because their send buffer passed the slow-consumer limit.',
    ['transport'],
  );
  const resetsTotal = counter('tidings_edge_resets_total', 'Reset events sent because a cursor was older than what was kept.', ['reason']);
  for (const transport of PUBLISH_TRANSPORTS) publishedTotal.inc({ transport }, 0);
  for (const transport of DELIVERY_TRANSPORTS) {
    deliveredTotal.inc({ transport }, 0);
    redeliveredTotal.inc({ transport }, 0);
    connections.set({ transport }, 0);
    slowConsumerDisconnectsTotal.inc({ transport }, 0);
  }
  for (const reason of RESET_REASONS) resetsTotal.inc({ reason }, 0);
  const resumesTotal = counter('tidings_edge_resumes_total', 'Subscriptions that resumed from a cursor (Last-Event-ID or since), by transport.', ['transport']);
  for (const transport of RESUME_TRANSPORTS) resumesTotal.inc({ transport }, 0);
  const receiptsTotal = counter('tidings_edge_receipts_total', 'Delivery receipts sent by devices, by status and transport.', ['status', 'transport']);
  for (const status of RECEIPT_STATUSES) for (const transport of PUBLISH_TRANSPORTS) receiptsTotal.inc({ status, transport }, 0);
  const redisErrorsTotal = counter('tidings_redis_errors_total', 'Errors talking to Redis (refused, reset or timed-out connections, failed resubscribes, malformed messages), by connection.', ['connection']);
  for (const connection of EDGE_REDIS_CONNECTIONS) redisErrorsTotal.inc({ connection }, 0);

  return {
    registry,
    publishedTotal,
    deliveredTotal,
    deliveries,
    redeliveredTotal,
    receiptJobsUnqueuedTotal: counter<never>(
      'tidings_edge_receipt_jobs_unqueued_total',
      'Ack events whose retry job could not be queued; the worker reconciler queues them later.',
      [],
    ),
    connections,
    slowConsumerDisconnectsTotal,
    badRequestsTotal: counter('tidings_edge_rejected_requests_total', 'Requests and frames rejected, by error code.', ['code']),
    gapFillsTotal: counter<never>('tidings_broker_gap_fills_total', 'Events the live path missed and the log filled in.', []),
    resetsTotal,
    redisReconnectsTotal: counter<never>('tidings_broker_live_resubscribes_total', 'Times the live subscription to Redis was re-established.', []),
    channelFeeds: new Gauge<never>({ name: 'tidings_broker_channel_feeds', help: 'Node-level live channel subscriptions held.', registers }),
    publishLatency: new Histogram<never>({
      name: 'tidings_edge_publish_duration_seconds',
      help: 'Time from a publish request to the event being stored, in seconds.',
      buckets: PUBLISH_BUCKETS,
      registers,
    }),
    deliveryLatency: new Histogram<never>({
      name: 'tidings_edge_delivery_latency_seconds',
      help: 'Time from an event being stored to a fan-out pass having written it to every subscriber of this node, in seconds (one sample per pass).',
      buckets: DELIVERY_BUCKETS,
      registers,
    }),
    resumesTotal,
    receiptsTotal,
    redisErrorsTotal,
    redisPing: redisPingHistogram(registers),
    redisCommands: redisCommandMetrics(registers),
    presenceEntries: new Gauge<never>({
      name: 'tidings_edge_presence_entries',
      help: 'Devices online on this node, counted once per channel they are on (set at each presence report).',
      registers,
    }),
    subscriptions: new Gauge<never>({ name: 'tidings_edge_subscriptions', help: 'Channels and patterns followed by open connections on this node.', registers }),
    groupClaimedTotal: counter<never>('tidings_edge_consumer_group_claimed_events_total', 'Events handed to consumers of consumer groups.', []),
    groupRedeliveredTotal: counter<never>(
      'tidings_edge_consumer_group_redelivered_events_total',
      'Events handed out again by consumer groups (a consumer died, gave them back, or let the visibility timeout pass).',
      [],
    ),
    groupAckedTotal: counter<never>('tidings_edge_consumer_group_acked_events_total', 'Events acknowledged by consumers of consumer groups.', []),
    groupNackedTotal: counter<never>('tidings_edge_consumer_group_nacked_events_total', 'Events given back by consumers of consumer groups.', []),
    groupDeadLettersTotal: counter<never>('tidings_edge_consumer_group_dead_letters_total', 'Events moved to consumer groups\' dead letters after their maximum deliveries.', []),
    groupResetsTotal: counter<never>('tidings_edge_consumer_group_resets_total', 'Claims told that events were trimmed before the group got or acknowledged them.', []),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
