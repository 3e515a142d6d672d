import type { RateLimiter } from '@tidings/core';
import { expect, it } from 'vitest';

export interface RateLimiterOptions {
  readonly ratePerSecond: number;
  readonly burst: number;
}

/** So slow that nothing measurable comes back while a test runs: budgets only shrink. */
const STILL: RateLimiterOptions = { ratePerSecond: 0.001, burst: 3 };

/** The rules of publish budgets (`--limits-publish-rate-per-second`), for any RateLimiter: a token bucket per principal. */
export function rateLimiterContract(create: (options: RateLimiterOptions) => Promise<RateLimiter>): void {
  it('allows a burst at once, then refuses with how long until the cost is back', async () => {
    const limiter = await create(STILL);
    for (let i = 0; i < 3; i++) expect(await limiter.take('key-1', 1)).toEqual({ allowed: true, retryAfterMs: 0 });
    const refused = await limiter.take('key-1', 1);
    expect(refused.allowed).toBe(false);
    // One token at 0.001 per second is 1,000 s away, less the little that came back meanwhile.
    expect(refused.retryAfterMs).toBeGreaterThan(900_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1_000_000);
  });

  it('takes nothing when it refuses: a smaller cost still fits', async () => {
    const limiter = await create(STILL);
    expect((await limiter.take('key-1', 2)).allowed).toBe(true);
    expect((await limiter.take('key-1', 2)).allowed).toBe(false);
    expect((await limiter.take('key-1', 1)).allowed).toBe(true);
    expect((await limiter.take('key-1', 1)).allowed).toBe(false);
    expect((await limiter.take('key-1', 4)).allowed).toBe(false); // more than the bucket ever holds
  });

  it('keeps each principal\'s budget apart', async () => {
    const limiter = await create(STILL);
    expect((await limiter.take('device:phone', 3)).allowed).toBe(true);
    expect((await limiter.take('device:phone', 1)).allowed).toBe(false);
    expect((await limiter.take('key:ci', 3)).allowed).toBe(true);
  });

  it('gives a spent budget back at the rate: after the time it names, the take is allowed', async () => {
    const limiter = await create({ ratePerSecond: 50, burst: 1 });
    expect((await limiter.take('key-1', 1)).allowed).toBe(true);
    const refused = await limiter.take('key-1', 1);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(20);
    // Timers may fire a millisecond early; a few more make the wait at least what was named.
    await new Promise((resolve) => setTimeout(resolve, refused.retryAfterMs + 5));
    expect((await limiter.take('key-1', 1)).allowed).toBe(true);
  });
}
