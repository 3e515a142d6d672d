import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../loadgen/index.js';
import { type Measurements, fanoutFigures, heldPerConnection } from './fanout-figures.js';

function histogram(values: readonly number[]) {
  const h = new LatencyHistogram();
  for (const v of values) h.record(v);
  return h.snapshot();
}

const measured: Measurements = {
  subscribers: 1000,
  connect: { ready: 1000, failed: 0, failures: {}, seconds: 0.5 },
  held: {
    server: { before: 50_000_000, halfway: 53_000_000, after: 55_000_000 },
    redis: { before: 8_000_000, halfway: 8_050_000, after: 8_100_000 },
    halfwayReady: 500,
    generator: 30_000_000,
  },
  publish: { events: 100, startedMicros: 1_000_000, endedMicros: 11_000_000, late: 0, latency: histogram([1000, 2000, 3000]) },
  load: {
    connections: 1000,
    deliveries: 100_000,
    lost: 0,
    duplicates: 0,
    outOfOrder: 0,
    gaps: 0,
    drainEnd: 'complete',
    incomplete: 0,
    dropped: {},
    lastDeliveryMicros: 11_000_000,
    latency: histogram([5000, 7000, 90_000]),
  },
  cpu: {
    server: { userSeconds: 0.5, systemSeconds: 1.5 },
    redis: { userSeconds: 0.1, systemSeconds: 0.4 },
    generator: { userSeconds: 1, systemSeconds: 1 },
    publisher: { userSeconds: 0.1, systemSeconds: 0 },
    machineBusySeconds: 10,
    machineTotalSeconds: 20,
    wallSeconds: 10,
  },
};

describe('fanoutFigures', () => {
  it('divides deliveries by the server CPU seconds, user and system together, Redis apart', () => {
    const f = fanoutFigures(measured);
    expect(f.efficiency.deliveriesPerServerCpuSecond).toBe(50_000);
    expect(f.efficiency.deliveriesPerServerAndRedisCpuSecond).toBe(40_000);
    expect(f.efficiency.serverMicrosPerDelivery).toBe(20);
    expect(f.cpuSeconds.server).toEqual({ user: 0.5, system: 1.5, total: 2 });
  });

  it('reports memory per idle connection as held-memory growth over the connections, and over the second half apart', () => {
    const f = fanoutFigures(measured);
    expect(f.memory.serverBytesPerConnection).toBe(5000);
    expect(f.memory.serverBytesPerConnectionMarginal).toBe(4000);
    expect(f.memory.redisBytesPerConnection).toBe(100);
    expect(f.memory.generatorBytesPerConnection).toBe(30_000);
  });

  it('has no marginal memory figure when no connection came ready after the halfway reading', () => {
    expect(heldPerConnection({ before: 0, halfway: 1000, after: 2000 }, 500, 500)).toEqual({ marginal: Number.NaN, fromStart: 4 });
  });

  it('counts deliveries per second from the first publish to the last delivery, and latencies in ms', () => {
    const f = fanoutFigures(measured);
    expect(f.delivery.seconds).toBe(10);
    expect(f.delivery.perSecond).toBe(10_000);
    expect(f.delivery.expected).toBe(100_000);
    // p50 is 7 ms give or take the histogram's 1/128 bucket width; the largest sample is exact.
    expect(f.latencyMs).toMatchObject({ samples: 3, p99: 90, max: 90 });
    expect(f.latencyMs.p50).toBeGreaterThanOrEqual(7);
    expect(f.latencyMs.p50).toBeLessThanOrEqual(7 * (1 + 1 / 128));
    expect(f.publish.answerMs.p50).toBeCloseTo(2, 1);
  });

  it('has no Redis figures for a server without Redis', () => {
    const f = fanoutFigures({ ...measured, held: { ...measured.held, redis: null }, cpu: { ...measured.cpu, redis: null } });
    expect(f.memory.redisBytesPerConnection).toBeNull();
    expect(f.efficiency.deliveriesPerServerAndRedisCpuSecond).toBeNull();
  });
});
