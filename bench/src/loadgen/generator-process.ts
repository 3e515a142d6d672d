// A load-generator child process: holds its share of the subscribers (≤ ~15k, under the 20k
// open-files limit of one process), reports when they are ready, and after the run how many events
// each one got. Started by LoadGenerator over IPC; ends itself, closing every socket, when told
// to, when its parent goes away, or on SIGINT/SIGTERM.
import { LatencyHistogram } from './latency-histogram.js';
import type { ConnectSummary, CutRequest, DrainEnd, FinishRequest, FromGenerator, GeneratorPlan, GeneratorReport, ResumeCounts, ToGenerator } from './generator-protocol.js';
import { ResumingSubscriber, type ResumeObserver } from './resuming-subscriber.js';
import type { SequenceChecker } from './sequence-checker.js';
import { sourceEndpoint } from './source-endpoints.js';
import { SubscriberConnection } from './subscriber-connection.js';
import { wallMicros } from './wall-clock.js';

const PROGRESS_EVERY_MS = 1000;
const DRAIN_POLL_MS = 20;
/** How often recovery after a cut is looked at: the resolution of the recovery times. */
const RECOVERY_POLL_MS = 20;
/** Distinct failure or drop reasons kept; past that they are counted as "other". */
const MAX_REASONS = 20;

function send(message: FromGenerator): void {
  process.send?.(message);
}

function countReason(reasons: Record<string, number>, reason: string): void {
  const key = reason in reasons || Object.keys(reasons).length < MAX_REASONS ? reason : 'other';
  reasons[key] = (reasons[key] ?? 0) + 1;
}

/** One subscriber of the process: a plain connection, or a durable device that reconnects. */
interface Subscriber {
  readonly checker: SequenceChecker;
  readonly isReady: boolean;
  readonly everReady: boolean;
  close(): void;
}

class GeneratorProcess implements ResumeObserver {
  /** Subscriber i is the run's connection plan.firstConnection + i. */
  private readonly connections: Subscriber[] = [];
  private readonly latencies = new LatencyHistogram();
  /** Samples since the last progress message. */
  private recentLatencies = new LatencyHistogram();
  private dropCount = 0;
  private acksSent = 0;
  private acksConfirmed = 0;
  private readonly failures: Record<string, number> = {};
  private readonly drops: Record<string, number> = {};
  private readyCount = 0;
  private failedCount = 0;
  private lastDeliveryMicros = Number.NaN;
  private connectedSent = false;
  private nextToOpen = 0;
  private timers: NodeJS.Timeout[] = [];
  private progressTimer: NodeJS.Timeout | undefined;
  private resumedCount = 0;
  private readonly attemptFailures: Record<string, number> = {};
  /** The time each subscriber took to recover from each cut (µs); which did since the last one. */
  private readonly recovery = new LatencyHistogram();
  private cuts = 0;
  private recoveredFlags: Uint8Array = new Uint8Array(0);
  private recoveredCount = 0;
  private recoveryTimer: NodeJS.Timeout | undefined;
  /** Called whenever a connection attempt ends either way: opens the next ones. */
  private onSettled: () => void = () => undefined;

  constructor(private readonly plan: GeneratorPlan) {}

  start(): void {
    this.progressTimer = setInterval(() => this.sendProgress(), PROGRESS_EVERY_MS);
    this.connectUpTo(Math.min(this.plan.connectFirst ?? this.plan.connections, this.plan.connections));
  }

  /** The coordinator asks for the connections held back by `connectFirst`. */
  connectRest(): void {
    this.connectUpTo(this.plan.connections);
  }

  /** Opens connections until `end` were attempted, then says `connected` (at the latest after the connect bound). */
  private connectUpTo(end: number): void {
    const { plan } = this;
    this.connectedSent = false;
    const openMore = () => {
      while (this.nextToOpen < end && this.nextToOpen - this.readyCount - this.failedCount < plan.connectConcurrency) this.open(this.nextToOpen++);
    };
    this.onSettled = () => {
      openMore();
      if (this.readyCount + this.failedCount === end) this.reportConnected();
    };
    openMore();
    if (this.readyCount + this.failedCount === end) return this.reportConnected();
    this.timers.push(
      setTimeout(() => {
        // Bounded: whatever is not ready by now will not be waited for.
        for (const connection of this.connections) if (!connection.isReady) connection.close();
        const unready = end - this.readyCount - this.failedCount;
        if (unready > 0) this.failures[`not ready within ${plan.connectTimeoutMs} ms`] = unready;
        this.failedCount += unready;
        this.reportConnected();
      }, plan.connectTimeoutMs),
    );
  }

  private open(i: number): void {
    const { plan } = this;
    const global = plan.firstConnection + i;
    const target = plan.targets[global % plan.targets.length]!;
    const route = plan.routes[global % plan.routes.length]!;
    const spec = {
      host: target.host,
      port: target.port,
      route: { ...route, path: route.path.replaceAll('{n}', String(global)) },
      timed: global % plan.sampleEvery === 0,
      firstSeq: plan.firstSeq,
    };
    // A new source per attempt: the old one's connection may still linger in the server's TIME_WAIT.
    const endpoints = 254 * plan.sources.portsPerAddress;
    const sourceFor = (attempt: number) => sourceEndpoint((global + attempt * plan.totalConnections) % endpoints, plan.sources);
    this.connections.push(plan.reconnect ? new ResumingSubscriber(spec, sourceFor, plan.reconnect, this) : new SubscriberConnection({ ...spec, source: sourceFor(0) }, this));
  }

  private routeOf(i: number): number {
    return (this.plan.firstConnection + i) % this.plan.routes.length;
  }

  ready(): void {
    this.readyCount++;
    this.onSettled();
  }

  failed(_connection: unknown, reason: string): void {
    this.failedCount++;
    countReason(this.failures, reason);
    this.onSettled();
  }

  dropped(_connection: unknown, reason: string): void {
    this.dropCount++;
    countReason(this.drops, reason);
  }

  attemptFailed(reason: string): void {
    countReason(this.attemptFailures, reason);
  }

  resumed(): void {
    this.resumedCount++;
  }

  /** Starts the recovery clock (resetting every connection first if asked) and watches who recovers. */
  cut(request: CutRequest): void {
    const cutAt = wallMicros();
    this.cuts++;
    this.recoveredFlags = new Uint8Array(this.connections.length);
    this.recoveredCount = 0;
    if (request.reset) for (const c of this.connections) if (c instanceof ResumingSubscriber) c.cut();
    clearInterval(this.recoveryTimer);
    this.recoveryTimer = setInterval(() => {
      const now = wallMicros();
      let waiting = 0;
      this.connections.forEach((c, i) => {
        if (this.recoveredFlags[i] === 1 || !c.everReady) return;
        if (c.checker.highest > request.afterSeqByRoute[this.routeOf(i)]!) {
          this.recoveredFlags[i] = 1;
          this.recoveredCount++;
          this.recovery.record(now - cutAt);
        } else waiting++;
      });
      if (waiting === 0) clearInterval(this.recoveryTimer);
    }, RECOVERY_POLL_MS);
  }

  private resumeCounts(): ResumeCounts {
    return { resumed: this.resumedCount, attemptFailures: { ...this.attemptFailures }, cuts: this.cuts, recovered: this.recoveredCount };
  }

  latency(micros: number): void {
    this.latencies.record(micros);
    this.recentLatencies.record(micros);
  }

  ackSent(): void {
    this.acksSent++;
  }

  ackConfirmed(): void {
    this.acksConfirmed++;
  }

  private sendProgress(): void {
    let deliveries = 0;
    for (const c of this.connections) deliveries += c.checker.received;
    const recentLatency = this.recentLatencies.snapshot();
    this.recentLatencies = new LatencyHistogram();
    send({ type: 'progress', ...this.summary(), ...this.resumeCounts(), deliveries, dropped: this.dropCount, acksSent: this.acksSent, acksConfirmed: this.acksConfirmed, recentLatency });
  }

  delivered(): void {
    this.lastDeliveryMicros = wallMicros();
  }

  private summary(): ConnectSummary {
    return { ready: this.readyCount, failed: this.failedCount, failures: { ...this.failures } };
  }

  private reportConnected(): void {
    if (this.connectedSent) return;
    this.connectedSent = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    send({ type: 'connected', ...this.summary() });
  }

  /** Waits until every ready connection has every event, deliveries stall, or the bound passes. */
  finish(request: FinishRequest): void {
    const started = wallMicros();
    const poll = () => {
      const now = wallMicros();
      // A dropped connection will not complete: waiting for it would only spend the drain time.
      const incomplete = this.connections.some((c, i) => c.isReady && !c.checker.complete(this.lastSeqOf(request, i)));
      const lastProgress = Number.isNaN(this.lastDeliveryMicros) ? started : Math.max(started, this.lastDeliveryMicros);
      const end: DrainEnd | undefined = !incomplete
        ? 'complete'
        : now - lastProgress >= request.drain.stallMs * 1000
          ? 'stalled'
          : now - started >= request.drain.maxMs * 1000
            ? 'limit'
            : undefined;
      if (end === undefined) setTimeout(poll, DRAIN_POLL_MS);
      else send({ type: 'report', report: this.report(request, end) });
    };
    poll();
  }

  private lastSeqOf(request: FinishRequest, i: number): number {
    return request.lastSeqByRoute?.[this.routeOf(i)] ?? request.lastSeq;
  }

  private report(request: FinishRequest, drainEnd: DrainEnd): GeneratorReport {
    let deliveries = 0;
    let lost = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    let gaps = 0;
    let incomplete = 0;
    let connections = 0;
    for (const [i, c] of this.connections.entries()) {
      // A connection dropped mid-run was ready once: its missing events are loss too.
      if (!c.everReady) continue;
      const lastSeq = this.lastSeqOf(request, i);
      connections++;
      const k = c.checker;
      deliveries += k.received;
      lost += k.lost(lastSeq);
      duplicates += k.duplicates;
      outOfOrder += k.outOfOrder;
      gaps += k.gaps;
      if (!k.complete(lastSeq)) incomplete++;
    }
    return {
      connections,
      deliveries,
      lost,
      duplicates,
      outOfOrder,
      gaps,
      drainEnd,
      incomplete,
      dropped: { ...this.drops },
      latency: this.latencies.snapshot(),
      acksSent: this.acksSent,
      acksConfirmed: this.acksConfirmed,
      lastDeliveryMicros: this.lastDeliveryMicros,
      ...this.resumeCounts(),
      recovery: this.recovery.snapshot(),
    };
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    clearInterval(this.progressTimer);
    clearInterval(this.recoveryTimer);
    for (const connection of this.connections) connection.close();
  }
}

let generator: GeneratorProcess | undefined;

function shutDown(code: number): void {
  generator?.close();
  // Resets are queued on the sockets; leave the loop one turn to send them.
  setImmediate(() => process.exit(code));
}

process.on('message', (message: ToGenerator) => {
  if (message.type === 'plan') {
    generator = new GeneratorProcess(message);
    generator.start();
  } else if (message.type === 'more') {
    generator?.connectRest();
  } else if (message.type === 'cut') {
    generator?.cut(message);
  } else if (message.type === 'finish') {
    generator?.finish(message);
  } else {
    shutDown(0);
  }
});
process.on('disconnect', () => shutDown(0));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => shutDown(130));
