// A load-generator child process: holds its share of the subscribers (≤ ~15k, under the 20k
// open-files limit of one process), reports when they are ready, and after the run how many events
// each one got. Started by LoadGenerator over IPC; ends itself, closing every socket, when told
// to, when its parent goes away, or on SIGINT/SIGTERM.
import { LatencyHistogram } from './latency-histogram.js';
import type { ConnectSummary, DrainEnd, FinishRequest, FromGenerator, GeneratorPlan, GeneratorReport, ToGenerator } from './generator-protocol.js';
import { sourceEndpoint } from './source-endpoints.js';
import { SubscriberConnection, type SubscriberObserver } from './subscriber-connection.js';
import { wallMicros } from './wall-clock.js';

const PROGRESS_EVERY_MS = 1000;
const DRAIN_POLL_MS = 20;
/** Distinct failure or drop reasons kept; past that they are counted as "other". */
const MAX_REASONS = 20;

function send(message: FromGenerator): void {
  process.send?.(message);
}

function countReason(reasons: Record<string, number>, reason: string): void {
  const key = reason in reasons || Object.keys(reasons).length < MAX_REASONS ? reason : 'other';
  reasons[key] = (reasons[key] ?? 0) + 1;
}

class GeneratorProcess implements SubscriberObserver {
  private readonly connections: SubscriberConnection[] = [];
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
  private timers: NodeJS.Timeout[] = [];
  private progressTimer: NodeJS.Timeout | undefined;
  /** Called whenever a connection attempt ends either way: opens the next ones. */
  private onSettled: () => void = () => undefined;

  constructor(private readonly plan: GeneratorPlan) {}

  start(): void {
    const { plan } = this;
    let next = 0;
    const openMore = () => {
      while (next < plan.connections && next - this.readyCount - this.failedCount < plan.connectConcurrency) this.open(next++);
    };
    this.onSettled = () => {
      openMore();
      if (this.readyCount + this.failedCount === plan.connections) this.reportConnected();
    };
    openMore();
    if (plan.connections === 0) return this.reportConnected();
    this.progressTimer = setInterval(() => this.sendProgress(), PROGRESS_EVERY_MS);
    this.timers.push(
      setTimeout(() => {
        // Bounded: whatever is not ready by now will not be waited for.
        for (const connection of this.connections) if (!connection.isReady) connection.close();
        const unready = plan.connections - this.readyCount - this.failedCount;
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
    this.connections.push(
      new SubscriberConnection(
        {
          host: target.host,
          port: target.port,
          source: sourceEndpoint(global, plan.sources),
          route: { ...route, path: route.path.replaceAll('{n}', String(global)) },
          timed: global % plan.sampleEvery === 0,
          firstSeq: plan.firstSeq,
        },
        this,
      ),
    );
  }

  ready(): void {
    this.readyCount++;
    this.onSettled();
  }

  failed(_connection: SubscriberConnection, reason: string): void {
    this.failedCount++;
    countReason(this.failures, reason);
    this.onSettled();
  }

  dropped(_connection: SubscriberConnection, reason: string): void {
    this.dropCount++;
    countReason(this.drops, reason);
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
    send({ type: 'progress', ...this.summary(), deliveries, dropped: this.dropCount, acksSent: this.acksSent, acksConfirmed: this.acksConfirmed, recentLatency });
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
      const incomplete = this.connections.some((c) => c.isReady && !c.checker.complete(request.lastSeq));
      const lastProgress = Number.isNaN(this.lastDeliveryMicros) ? started : Math.max(started, this.lastDeliveryMicros);
      const end: DrainEnd | undefined = !incomplete
        ? 'complete'
        : now - lastProgress >= request.drain.stallMs * 1000
          ? 'stalled'
          : now - started >= request.drain.maxMs * 1000
            ? 'limit'
            : undefined;
      if (end === undefined) setTimeout(poll, DRAIN_POLL_MS);
      else send({ type: 'report', report: this.report(request.lastSeq, end) });
    };
    poll();
  }

  private report(lastSeq: number, drainEnd: DrainEnd): GeneratorReport {
    let deliveries = 0;
    let lost = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    let gaps = 0;
    let incomplete = 0;
    let connections = 0;
    for (const c of this.connections) {
      // A connection dropped mid-run was ready once: its missing events are loss too.
      if (!c.everReady) continue;
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
    };
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    clearInterval(this.progressTimer);
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
  } else if (message.type === 'finish') {
    generator?.finish(message);
  } else {
    shutDown(0);
  }
});
process.on('disconnect', () => shutDown(0));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => shutDown(130));
