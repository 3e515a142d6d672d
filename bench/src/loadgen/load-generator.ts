// The load generator's coordinator: spreads a run's subscribers over child processes (each holds
// at most ~15k sockets: one process may open 20k files here) and over loopback source endpoints,
// waits until they are all ready, and at the end gathers what every connection received.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { exitOf, isRunning, spawnTracked, stopProcess } from '@tidings/testing';
import type { ConnectSummary, DrainLimits, FromGenerator, GeneratorPlan, GeneratorProgress, GeneratorReport, ReconnectSettings, Route, Target, ToGenerator } from './generator-protocol.js';
import { LatencyHistogram } from './latency-histogram.js';
import { DEFAULT_SOURCES, type SourcePlan } from './source-endpoints.js';

/** Sockets per generator process: well under the 20k open-files limit, with room for the rest. */
export const CONNECTIONS_PER_PROCESS = 15_000;

// This file is bench/{src,dist}/loadgen/load-generator.*: the child always runs from dist.
const GENERATOR_MAIN = fileURLToPath(new URL('../../dist/loadgen/generator-process.js', import.meta.url));

export interface LoadGeneratorOptions {
  /** Servers to connect to; connections are spread over them round-robin. */
  readonly targets: readonly Target[];
  /** How connections subscribe; connection n takes routes[n % routes.length]. */
  readonly routes: readonly Route[];
  readonly connections: number;
  /** Child processes; by default enough for ≤ 15k sockets each. */
  readonly processes?: number;
  /** Source addresses and ports (see source-endpoints.ts). */
  readonly sources?: SourcePlan;
  /** One connection in this many parses send times (latency). Default 64. */
  readonly sampleEvery?: number;
  readonly firstSeq?: number;
  /** Connection attempts in flight per process. Default 256. */
  readonly connectConcurrency?: number;
  /** Bound on the whole connect phase (on each of its stages). Default 120 s. */
  readonly connectTimeoutMs?: number;
  /** Connections (of the whole run) start() opens; the rest wait for connectRest(). Default: all. */
  readonly connectFirst?: number;
  readonly onProgress?: (ready: number, failed: number, total: number) => void;
  /** Gives up the connect phase (closing what is open) when it fires. */
  readonly signal?: AbortSignal;
  /** Durable devices: reconnect with the JS client's backoff (these settings) and resume (see GeneratorPlan). */
  readonly reconnect?: ReconnectSettings;
}

/** The run so far, all processes together: for progress lines while it runs. */
export interface LiveCounts {
  readonly ready: number;
  readonly failed: number;
  readonly deliveries: number;
  readonly dropped: number;
  readonly acksSent: number;
  readonly acksConfirmed: number;
  /** Durable runs: reconnects ready again; cuts every process has seen, and connections recovered since the last. */
  readonly resumed: number;
  readonly cuts: number;
  readonly recovered: number;
}

/** What every connection of the run received, added up. */
export interface LoadReport extends Omit<GeneratorReport, 'latency' | 'recovery'> {
  /** Publish-to-receive latency on the sampled connections, microseconds. */
  readonly latency: LatencyHistogram;
  /** Durable runs: from each cut to each connection's first event published after it, microseconds. */
  readonly recovery: LatencyHistogram;
}

interface Child {
  readonly process: ChildProcess;
  progress: GeneratorProgress;
}

const NO_PROGRESS: GeneratorProgress = {
  ready: 0,
  failed: 0,
  failures: {},
  deliveries: 0,
  dropped: 0,
  acksSent: 0,
  acksConfirmed: 0,
  recentLatency: new LatencyHistogram().snapshot(),
  resumed: 0,
  attemptFailures: {},
  cuts: 0,
  recovered: 0,
};

/** Latency samples as they are reported, from when it was opened until each take(). */
export interface LatencyWindow {
  /** The samples since the previous take (or the opening), and a fresh start. */
  take(): LatencyHistogram;
  close(): void;
}

export class LoadGenerator {
  private readonly windows = new Set<{ histogram: LatencyHistogram }>();

  private constructor(
    private readonly children: readonly Child[],
    private connectedSoFar: ConnectSummary & { readonly seconds: number },
  ) {
    for (const child of children) {
      child.process.on('message', (message: FromGenerator) => {
        if (message.type !== 'progress') return;
        child.progress = message;
        for (const window of this.windows) window.histogram.add(message.recentLatency);
      });
    }
  }

  /** How the connect phase went so far, all processes together (seconds: time spent connecting). */
  get connected(): ConnectSummary & { readonly seconds: number } {
    return this.connectedSoFar;
  }

  /** Opens the connections start() held back (connectFirst), and resolves once they are settled. */
  async connectRest(signal?: AbortSignal): Promise<void> {
    const started = performance.now();
    const connected = Promise.all(
      this.children.map((child) => {
        const summary = receive(child, 'connected');
        child.process.send({ type: 'more' } satisfies ToGenerator);
        return summary;
      }),
    );
    const summaries = await Promise.race([connected, interruption(signal)]);
    this.connectedSoFar = { ...totalOf(summaries), seconds: this.connectedSoFar.seconds + (performance.now() - started) / 1000 };
  }

  /** Counts as of the processes' latest progress messages (each sends one a second). */
  live(): LiveCounts {
    const sum = (field: keyof LiveCounts) => this.children.reduce((n, c) => n + c.progress[field], 0);
    return {
      ready: sum('ready'),
      failed: sum('failed'),
      deliveries: sum('deliveries'),
      dropped: sum('dropped'),
      acksSent: sum('acksSent'),
      acksConfirmed: sum('acksConfirmed'),
      resumed: sum('resumed'),
      cuts: Math.min(...this.children.map((c) => c.progress.cuts)),
      recovered: sum('recovered'),
    };
  }

  /** A window on the latency samples the processes report each second (for "current p99"). */
  openLatencyWindow(): LatencyWindow {
    const window = { histogram: new LatencyHistogram() };
    this.windows.add(window);
    return {
      take: () => {
        const taken = window.histogram;
        window.histogram = new LatencyHistogram();
        return taken;
      },
      close: () => this.windows.delete(window),
    };
  }

  static async start(options: LoadGeneratorOptions): Promise<LoadGenerator> {
    const total = options.connections;
    const processes = options.processes ?? Math.max(1, Math.ceil(total / CONNECTIONS_PER_PROCESS));
    const started = performance.now();
    const children: Child[] = [];
    let first = 0;
    for (let p = 0; p < processes; p++) {
      const connections = Math.floor(total / processes) + (p < total % processes ? 1 : 0);
      const child = spawnTracked(process.execPath, [GENERATOR_MAIN], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
      children.push({ process: child, progress: NO_PROGRESS });
      const plan: GeneratorPlan = {
        type: 'plan',
        targets: options.targets,
        routes: options.routes,
        sources: options.sources ?? DEFAULT_SOURCES,
        firstConnection: first,
        connections,
        sampleEvery: options.sampleEvery ?? 64,
        firstSeq: options.firstSeq ?? 1,
        connectConcurrency: options.connectConcurrency ?? 256,
        connectTimeoutMs: options.connectTimeoutMs ?? 120_000,
        totalConnections: total,
        ...(options.reconnect ? { reconnect: options.reconnect } : {}),
        ...(options.connectFirst === undefined ? {} : { connectFirst: Math.round((options.connectFirst * connections) / total) }),
      };
      child.send(plan satisfies ToGenerator);
      first += connections;
    }
    const generator = new LoadGenerator(children, { ready: 0, failed: 0, failures: {}, seconds: 0 });
    const interrupted = interruption(options.signal);
    try {
      const connected = Promise.all(
        children.map((child) =>
          receive(child, 'connected', (message) => {
            if (message.type !== 'progress') return;
            child.progress = message;
            const ready = children.reduce((n, c) => n + c.progress.ready, 0);
            const failed = children.reduce((n, c) => n + c.progress.failed, 0);
            options.onProgress?.(ready, failed, total);
          }),
        ),
      );
      const summaries = await Promise.race([connected, interrupted]);
      generator.detach();
      return new LoadGenerator(children, { ...totalOf(summaries), seconds: (performance.now() - started) / 1000 });
    } catch (error) {
      await generator.stop();
      throw error;
    }
  }

  /** Stops listening to the children (the placeholder made for cleanup during start). */
  private detach(): void {
    for (const child of this.children) child.process.removeAllListeners('message');
  }

  /** The generator processes, for their CPU and memory. */
  get pids(): number[] {
    return this.children.map((c) => c.process.pid!);
  }

  /**
   * Durable runs: starts the recovery clock in every process — a connection has recovered once it
   * has an event numbered above `afterSeqByRoute[its route]` — after resetting every connection
   * at once when `reset` is set.
   */
  cut(reset: boolean, afterSeqByRoute: readonly number[]): void {
    for (const child of this.children) child.process.send({ type: 'cut', reset, afterSeqByRoute } satisfies ToGenerator);
  }

  /**
   * Tells every process that `lastSeq` was the last event (per route: `lastSeqByRoute`), waits
   * until each connection has them all (or deliveries stall, or the drain bound passes), and adds
   * up the reports.
   */
  async finish(lastSeq: number, drain: DrainLimits, lastSeqByRoute?: readonly number[]): Promise<LoadReport> {
    const reports = await Promise.all(
      this.children.map((child) => {
        const report = receive(child, 'report');
        child.process.send({ type: 'finish', lastSeq, drain, ...(lastSeqByRoute ? { lastSeqByRoute } : {}) } satisfies ToGenerator);
        return report.then((m) => m.report);
      }),
    );
    const dropped = addReasons(reports.map((r) => r.dropped));
    const sum = (field: 'connections' | 'deliveries' | 'lost' | 'duplicates' | 'outOfOrder' | 'gaps' | 'incomplete' | 'acksSent' | 'acksConfirmed' | 'resumed' | 'recovered') =>
      reports.reduce((n, r) => n + r[field], 0);
    return {
      connections: sum('connections'),
      deliveries: sum('deliveries'),
      lost: sum('lost'),
      duplicates: sum('duplicates'),
      outOfOrder: sum('outOfOrder'),
      gaps: sum('gaps'),
      // The worst of the processes: one that hit the bound makes the whole drain a cut-off.
      drainEnd: reports.some((r) => r.drainEnd === 'limit') ? 'limit' : reports.some((r) => r.drainEnd === 'stalled') ? 'stalled' : 'complete',
      incomplete: sum('incomplete'),
      acksSent: sum('acksSent'),
      acksConfirmed: sum('acksConfirmed'),
      dropped,
      latency: LatencyHistogram.of(reports.map((r) => r.latency)),
      resumed: sum('resumed'),
      cuts: Math.min(...reports.map((r) => r.cuts)),
      recovered: sum('recovered'),
      attemptFailures: addReasons(reports.map((r) => r.attemptFailures)),
      recovery: LatencyHistogram.of(reports.map((r) => r.recovery)),
      lastDeliveryMicros: Math.max(...reports.map((r) => (Number.isNaN(r.lastDeliveryMicros) ? -Infinity : r.lastDeliveryMicros))),
    };
  }

  /** Closes every connection and ends every process (SIGKILL by PID if one does not go). */
  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(async (child) => {
        if (!isRunning(child.process)) return;
        if (child.process.connected) child.process.send({ type: 'close' } satisfies ToGenerator);
        await stopProcess(child.process, 10_000);
      }),
    );
  }
}

/** Rejects when the run is interrupted; marked handled, so an abort after the wait is no unhandled rejection. */
function interruption(signal: AbortSignal | undefined): Promise<never> {
  const interrupted = new Promise<never>((_, reject) => {
    if (signal?.aborted) reject(new Error('interrupted'));
    signal?.addEventListener('abort', () => reject(new Error('interrupted')), { once: true });
  });
  interrupted.catch(() => undefined);
  return interrupted;
}

/** The processes' connect summaries (each counts its connections so far), added up. */
function totalOf(summaries: readonly ConnectSummary[]): ConnectSummary {
  return { ready: summaries.reduce((n, s) => n + s.ready, 0), failed: summaries.reduce((n, s) => n + s.failed, 0), failures: addReasons(summaries.map((s) => s.failures)) };
}

/** Counts by reason, added up over processes. */
function addReasons(counts: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const c of counts) for (const [reason, n] of Object.entries(c)) total[reason] = (total[reason] ?? 0) + n;
  return total;
}

type Message<T extends FromGenerator['type']> = Extract<FromGenerator, { type: T }>;

/** The child's next message of `type` (others go to `other`); rejects if the child exits first. */
function receive<T extends FromGenerator['type']>(child: Child, type: T, other?: (message: FromGenerator) => void): Promise<Message<T>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromGenerator) => {
      if (message.type !== type) return other?.(message);
      child.process.off('message', onMessage);
      resolve(message as Message<T>);
    };
    child.process.on('message', onMessage);
    void exitOf(child.process).then((code) => {
      child.process.off('message', onMessage);
      reject(new Error(`a load-generator process (PID ${child.process.pid}) exited with code ${code} while waiting for '${type}'`));
    });
  });
}
