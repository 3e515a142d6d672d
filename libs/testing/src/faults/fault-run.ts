import { waitUntil } from '../wait-until.js';
import { DeliveryLedger, type DeliveryReport, percentiles } from './delivery-ledger.js';
import { type DurableSubscriber, startDurableSubscriber, type Transport } from './durable-subscribers.js';
import { SteadyPublisher } from './steady-publisher.js';

export interface FaultRunOptions {
  /** One name per run, for the report and for device ids. */
  readonly scenario: string;
  /** Where clients connect: the balancer in front of the edges. */
  readonly url: string;
  readonly channels: readonly string[];
  /** Durable subscribers per transport; each follows every channel. */
  readonly subscribersPerTransport: number;
  readonly publishers: number;
  readonly eventsPerPublisher: number;
  /** Publishers also stop at this time (ms since the epoch), however many events they have sent: a soak publishes for its length, not a count. */
  readonly publishUntil?: number;
  /** Pause between one publisher's events. */
  readonly paceMs: number;
  /** The fault starts once this share of the events has been published (0.3: a third in). */
  readonly faultAt?: number;
  /** Only a guard against a hang: how long publishers may take to finish once the fault is over (300 s). */
  readonly publishLimitMs?: number;
  /** Only a guard against a hang: how long to wait for every subscriber to catch up after the last publish. */
  readonly settleLimitMs?: number;
  /** Devices give up a connection silent this long and open another (see SubscriberSpec). */
  readonly silenceMs?: number;
  /** Publish `ack: true` events (every device owes a receipt for each). */
  readonly ack?: boolean;
  /** How a device answers the ack events it gets (redeliveries included); unanswered without it. */
  readonly onAckEvent?: (device: { readonly name: string; readonly transport: Transport }, channel: string, id: string, redelivery: boolean) => void;
  /** Runs once every device has every event, before the devices go: for what must still reach them (redeliveries). */
  readonly beforeStop?: () => Promise<void>;
}

export interface FaultReport extends DeliveryReport {
  readonly scenario: string;
  readonly clients: number;
  /** Publish attempts refused with a retryable answer (503 + Retry-After, 429). */
  readonly refused: number;
  /** Publish attempts whose connection failed (sent again with the same idempotency key). */
  readonly failedAttempts: number;
  /** Publish answers outside the contract (anything but 201/200/503/429). */
  readonly unexpected: readonly string[];
  readonly reconnects: number;
  /** Longest time one event took from its first attempt to its id (refusals, retries and stalls included): the publishers' view of recovery. */
  readonly maxRecoveryMs: number;
  /** Publish answer times, first attempt to id (ms): the publishers' everyday view. */
  readonly publishMs: { readonly p50: number; readonly p99: number };
}

const TRANSPORTS: readonly Transport[] = ['sse', 'ws', 'poll'];

/**
 * Runs publishers and durable subscribers (SSE, WebSocket, long-poll, each a device) through
 * `fault`, then waits until every subscriber has every published event or the guard runs out,
 * and reports what was published against what each received. Pass a `ledger` to look at the ids
 * afterwards.
 */
export async function runThroughFault(options: FaultRunOptions, fault: () => Promise<void>, ledger = new DeliveryLedger()): Promise<FaultReport> {
  const subscribers: DurableSubscriber[] = [];
  for (const transport of TRANSPORTS) {
    for (let i = 0; i < options.subscribersPerTransport; i++) {
      const device = `${options.scenario}-${transport}-${i}`;
      const onAckEvent = options.onAckEvent;
      subscribers.push(
        startDurableSubscriber({
          transport,
          url: options.url,
          device,
          channels: options.channels,
          receiver: ledger.receiver(device, options.channels),
          ...(options.silenceMs === undefined ? {} : { silenceMs: options.silenceMs }),
          ...(onAckEvent ? { onAckEvent: (channel: string, id: string, redelivery: boolean) => onAckEvent({ name: device, transport }, channel, id, redelivery) } : {}),
        }),
      );
    }
  }
  const stalled: string[] = [];
  const publishers = Array.from({ length: options.publishers }, (_, i) => new SteadyPublisher(`${options.scenario}-p${i}`, options.url, options.channels, ledger, options.paceMs, options.ack));
  try {
    await Promise.all(subscribers.map((s) => s.ready));
    const total = options.publishers * options.eventsPerPublisher;
    const publishing = Promise.all(publishers.map((p) => p.run(options.eventsPerPublisher, options.publishUntil)));
    const publishedSoFar = () => publishers.reduce((sum, p) => sum + p.published, 0);
    await waitUntil(() => publishedSoFar() >= total * (options.faultAt ?? 0.3), 'publishing to reach the fault', 120_000);
    await fault();
    // A guard, not a measure: publishers that cannot finish (the cluster never recovered) end the run.
    const limit = options.publishLimitMs ?? 300_000;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([publishing.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), limit)))]);
    clearTimeout(timer);
    if (!finished) {
      stalled.push(`publishing did not finish within ${limit} ms of the fault`);
      // Stopped before the wait below, so it measures what was published, not a moving tail.
      for (const publisher of publishers) publisher.stop();
    }
    await waitUntil(() => ledger.complete(), 'every subscriber to catch up', options.settleLimitMs ?? 30_000, 100).catch(() => undefined); // the report says what is missing
    await options.beforeStop?.();
  } finally {
    for (const publisher of publishers) publisher.stop();
    for (const subscriber of subscribers) subscriber.stop();
  }
  return {
    scenario: options.scenario,
    clients: subscribers.length + publishers.length,
    ...ledger.report(),
    refused: publishers.reduce((sum, p) => sum + p.refused, 0),
    failedAttempts: publishers.reduce((sum, p) => sum + p.failed, 0),
    unexpected: [...stalled, ...publishers.flatMap((p) => p.unexpected)],
    reconnects: subscribers.reduce((sum, s) => sum + s.reconnects, 0),
    maxRecoveryMs: Math.max(0, ...publishers.map((p) => p.slowestMs)),
    publishMs: percentiles(publishers.flatMap((p) => p.tookMs)),
  };
}
