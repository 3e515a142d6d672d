import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latency-histogram.js';

/** Nearest-rank percentile of exact values, for comparison. */
function exact(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('LatencyHistogram', () => {
  it('is exact for values below 128 µs', () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 100; v++) h.record(v);
    expect([h.percentile(50), h.percentile(99), h.percentile(100), h.max, h.count]).toEqual([50, 99, 100, 100, 100]);
  });

  it('stays within 1/128 of the exact nearest-rank percentile, never above the largest sample', () => {
    const random = seeded(42);
    const values = Array.from({ length: 20_000 }, () => Math.round(Math.exp(random() * 16)));
    const h = new LatencyHistogram();
    for (const v of values) h.record(v);
    for (const p of [1, 10, 50, 90, 99, 99.9, 100]) {
      const truth = exact(values, p);
      const got = h.percentile(p);
      expect(got).toBeGreaterThanOrEqual(truth);
      expect(got - truth).toBeLessThanOrEqual(Math.max(1, truth / 128));
      expect(got).toBeLessThanOrEqual(h.max);
    }
    expect(h.max).toBe(Math.max(...values));
  });

  it('adds up snapshots exactly as if every sample had been recorded in one', () => {
    const random = seeded(7);
    const parts = [new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram()];
    const all = new LatencyHistogram();
    for (let i = 0; i < 3000; i++) {
      const v = random() * 5_000_000;
      parts[i % 3]!.record(v);
      all.record(v);
    }
    const merged = LatencyHistogram.of(parts.map((p) => p.snapshot()));
    expect(merged.snapshot()).toEqual(all.snapshot());
    expect(merged.percentile(99)).toBe(all.percentile(99));
  });

  it('reads negative latencies (clock disagreement) as zero and says NaN when empty', () => {
    const h = new LatencyHistogram();
    expect(Number.isNaN(h.percentile(50))).toBe(true);
    expect(Number.isNaN(h.max)).toBe(true);
    h.record(-3);
    expect(h.percentile(50)).toBe(0);
  });

  it('refuses a snapshot with a bucket it does not have', () => {
    expect(() => new LatencyHistogram().add({ buckets: [[1e9, 1]], count: 1, sum: 1, max: 1 })).toThrow(RangeError);
  });
});
