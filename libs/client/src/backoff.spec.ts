import { describe, expect, it } from 'vitest';
import { createBackoff } from './backoff.js';

describe('createBackoff', () => {
  it('doubles the ceiling per attempt and scales it by random() (full jitter)', () => {
    const backoff = createBackoff({ baseMs: 100, maxMs: 10_000, random: () => 0.5 });
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([50, 100, 200, 400]);
  });

  it('never exceeds maxMs however many attempts failed', () => {
    const backoff = createBackoff({ baseMs: 100, maxMs: 1000, random: () => 0.999999 });
    const delays = Array.from({ length: 2000 }, () => backoff.next());
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000);
    expect(delays.at(-1)).toBe(999);
  });

  it('can pick any delay from zero up to the ceiling', () => {
    expect(createBackoff({ baseMs: 100, random: () => 0 }).next()).toBe(0);
    expect(createBackoff({ baseMs: 100, random: () => 0.25 }).next()).toBe(25);
  });

  it('starts over after reset()', () => {
    const backoff = createBackoff({ baseMs: 100, random: () => 0.5 });
    backoff.next();
    backoff.next();
    expect(backoff.attempt).toBe(2);
    backoff.reset();
    expect(backoff.attempt).toBe(0);
    expect(backoff.next()).toBe(50);
  });

  it('lets a server hint raise the ceiling but not past maxMs', () => {
    const backoff = createBackoff({ baseMs: 100, maxMs: 4000, random: () => 0.5 });
    expect(backoff.next(2000)).toBe(1000);
    expect(backoff.next(50)).toBe(100);
    expect(backoff.next(60_000)).toBe(2000);
  });

  it('clamps a random source that strays outside [0, 1)', () => {
    expect(createBackoff({ baseMs: 100, random: () => 7 }).next()).toBe(100);
    expect(createBackoff({ baseMs: 100, random: () => -1 }).next()).toBe(0);
  });

  it('rejects nonsense settings instead of hot-looping', () => {
    expect(() => createBackoff({ baseMs: 0 })).toThrow(RangeError);
    expect(() => createBackoff({ maxMs: Number.NaN })).toThrow(RangeError);
  });
});
