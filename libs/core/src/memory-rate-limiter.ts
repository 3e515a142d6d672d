import type { RateLimiter } from './ports.js';
import { type BucketState, takeTokens } from './token-bucket.js';

/** Buckets kept before the first sweep; after a sweep, twice what it kept. */
const FIRST_SWEEP_AT = 1024;

/**
 * Buckets in this process's memory (the in-process engine: one process is the whole cluster). A
 * bucket that has refilled to its burst is the same as none, so such buckets are forgotten: swept
 * once the map has doubled since the last sweep (amortised, no timer), which keeps it within twice
 * the principals seen in the last burst/rate seconds — as the Redis buckets expire.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, BucketState>();
  private sweepAt = FIRST_SWEEP_AT;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Principals whose buckets are kept. */
  get size(): number {
    return this.buckets.size;
  }

  async take(principal: string, cost: number): Promise<{ allowed: boolean; retryAfterMs: number }> {
    const now = this.now();
    const { allowed, retryAfterMs, state } = takeTokens(this.buckets.get(principal), cost, this.ratePerSecond, this.burst, now);
    this.buckets.set(principal, state);
    if (this.buckets.size >= this.sweepAt) this.forgetFull(now);
    return { allowed, retryAfterMs };
  }

  private forgetFull(now: number): void {
    for (const [principal, state] of this.buckets) {
      if (state.tokens + ((now - state.updatedAt) * this.ratePerSecond) / 1000 >= this.burst) this.buckets.delete(principal);
    }
    this.sweepAt = Math.max(FIRST_SWEEP_AT, 2 * this.buckets.size);
  }
}
