// From what one fan-out run measured to the figures it reports. Pure arithmetic, kept apart so
// the definitions (what is divided by what) are in one place and tested.
import type { ConnectSummary, CpuTimes, GeneratorReport, HistogramSnapshot } from '../loadgen/index.js';
import { LatencyHistogram } from '../loadgen/index.js';

/**
 * Held memory before the first connect, 2 s after the first half of the connections, and 2 s after
 * the last. The second half shows what one more connection costs; the first also pays once per
 * process for what any traffic brings in (V8's young generation coming into use, compiled code).
 */
export interface HeldReadings {
  readonly before: number;
  readonly halfway: number;
  readonly after: number;
}

/** Growth per connection of the second half (the marginal cost) and of the whole connect phase. */
export function heldPerConnection(readings: HeldReadings, halfwayReady: number, ready: number): { readonly marginal: number; readonly fromStart: number } {
  return {
    marginal: ready > halfwayReady ? Math.round((readings.after - readings.halfway) / (ready - halfwayReady)) : Number.NaN,
    fromStart: ready > 0 ? Math.round((readings.after - readings.before) / ready) : Number.NaN,
  };
}

export interface Measurements {
  readonly subscribers: number;
  readonly connect: ConnectSummary & { readonly seconds: number };
  /** Memory the processes hold themselves (anonymous and shared, see readHeldBytes), in bytes. */
  readonly held: {
    readonly server: HeldReadings;
    readonly redis: HeldReadings | null;
    /** Connections ready at the halfway reading. */
    readonly halfwayReady: number;
    /** The load generator's processes, 2 s after the last connect. */
    readonly generator: number;
  };
  readonly publish: {
    readonly events: number;
    readonly startedMicros: number;
    readonly endedMicros: number;
    readonly late: number;
    readonly latency: HistogramSnapshot;
    /** Open loop: the reordering of the server's own storage order, per subscriber (null: unknown). */
    readonly storedOrder?: { readonly outOfOrder: number; readonly gaps: number } | null;
  };
  /** What the load generators reported, summed over their processes. */
  readonly load: Pick<GeneratorReport, 'connections' | 'deliveries' | 'lost' | 'duplicates' | 'outOfOrder' | 'gaps' | 'drainEnd' | 'incomplete' | 'dropped' | 'lastDeliveryMicros' | 'latency'>;
  /** CPU spent between the first publish and the end of the drain. */
  readonly cpu: {
    readonly server: CpuTimes;
    readonly redis: CpuTimes | null;
    readonly generator: CpuTimes;
    readonly publisher: CpuTimes;
    readonly machineBusySeconds: number;
    readonly machineTotalSeconds: number;
    readonly wallSeconds: number;
  };
}

interface Percentiles {
  readonly samples: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function cpu(times: CpuTimes) {
  return { user: round(times.userSeconds), system: round(times.systemSeconds), total: round(times.userSeconds + times.systemSeconds) };
}

/** Percentiles of a microsecond histogram, in milliseconds. */
export function millis(snapshot: HistogramSnapshot): Percentiles {
  const h = LatencyHistogram.of([snapshot]);
  return { samples: h.count, p50: round(h.percentile(50) / 1000), p99: round(h.percentile(99) / 1000), max: round(h.max / 1000) };
}

export const MEMORY_METHOD =
  'memory the server processes hold (smaps_rollup Pss_Anon + Pss_Shmem; not program files, whose share moves as other processes start): ' +
  'growth from before the first connect to 2 s after the last, divided by the connections; Marginal: from 2 s after the first half to 2 s after the last, divided by the second half';

export function fanoutFigures(m: Measurements) {
  const ready = m.connect.ready;
  const expected = m.publish.events * m.load.connections;
  const deliverySeconds = Math.max(m.load.lastDeliveryMicros, m.publish.startedMicros) / 1e6 - m.publish.startedMicros / 1e6;
  const publishSeconds = (m.publish.endedMicros - m.publish.startedMicros) / 1e6;
  const serverCpu = m.cpu.server.userSeconds + m.cpu.server.systemSeconds;
  const redisCpu = m.cpu.redis === null ? null : m.cpu.redis.userSeconds + m.cpu.redis.systemSeconds;
  const server = heldPerConnection(m.held.server, m.held.halfwayReady, ready);
  return {
    connections: {
      requested: m.subscribers,
      ready,
      failed: m.connect.failed,
      failures: m.connect.failures,
      seconds: round(m.connect.seconds),
      perSecond: Math.round(ready / m.connect.seconds),
    },
    memory: {
      method: MEMORY_METHOD,
      serverBytesPerConnection: server.fromStart,
      serverBytesPerConnectionMarginal: server.marginal,
      redisBytesPerConnection: m.held.redis === null ? null : heldPerConnection(m.held.redis, m.held.halfwayReady, ready).fromStart,
      generatorBytesPerConnection: ready === 0 ? Number.NaN : Math.round(m.held.generator / ready),
    },
    delivery: {
      events: m.publish.events,
      expected,
      deliveries: m.load.deliveries,
      lost: m.load.lost,
      duplicates: m.load.duplicates,
      outOfOrder: m.load.outOfOrder,
      gaps: m.load.gaps,
      /**
       * Of those, what the server's storage order accounts for: concurrent publishes (open loop)
       * are stored in whatever order they arrive, and every subscriber sees that order. 0 with one
       * publish in flight; null when the server's answers do not say where each event went.
       */
      outOfOrderByStorage: m.publish.storedOrder === undefined ? 0 : m.publish.storedOrder === null ? null : m.publish.storedOrder.outOfOrder * m.load.connections,
      gapsByStorage: m.publish.storedOrder === undefined ? 0 : m.publish.storedOrder === null ? null : m.publish.storedOrder.gaps * m.load.connections,
      /** complete: every event arrived; stalled: the rest stopped coming (lost); limit: cut off while still arriving. */
      drainEnd: m.load.drainEnd,
      /** From the last publish to the last delivery: the backlog a server let build up. */
      drainSeconds: round(Math.max(0, m.load.lastDeliveryMicros - m.publish.endedMicros) / 1e6),
      incompleteConnections: m.load.incomplete,
      droppedConnections: Object.values(m.load.dropped).reduce((a, b) => a + b, 0),
      dropReasons: m.load.dropped,
      seconds: round(deliverySeconds),
      perSecond: deliverySeconds > 0 ? Math.round(m.load.deliveries / deliverySeconds) : Number.NaN,
    },
    latencyMs: millis(m.load.latency),
    publish: {
      events: m.publish.events,
      seconds: round(publishSeconds),
      perSecond: round(m.publish.events / publishSeconds, 1),
      lateSends: m.publish.late,
      answerMs: millis(m.publish.latency),
    },
    cpuSeconds: {
      window: round(m.cpu.wallSeconds),
      server: cpu(m.cpu.server),
      redis: m.cpu.redis === null ? null : cpu(m.cpu.redis),
      generator: cpu(m.cpu.generator),
      publisher: cpu(m.cpu.publisher),
      machineBusyFraction: round(m.cpu.machineBusySeconds / m.cpu.machineTotalSeconds),
    },
    efficiency: {
      deliveriesPerServerCpuSecond: serverCpu > 0 ? Math.round(m.load.deliveries / serverCpu) : Number.NaN,
      deliveriesPerServerAndRedisCpuSecond: redisCpu === null ? null : Math.round(m.load.deliveries / (serverCpu + redisCpu)),
      serverMicrosPerDelivery: m.load.deliveries > 0 ? round((serverCpu * 1e6) / m.load.deliveries, 2) : Number.NaN,
    },
  };
}

export type FanoutFigures = ReturnType<typeof fanoutFigures>;
