import type { RateLimiter } from './ports.js';
import { SweepSchedule } from './sweep-schedule.js';
import { type BucketState, takeTokens } from './token-bucket.js';

/**
 * Buckets in this process's memory (the in-process engine: one process is the whole cluster). A
 * bucket that has refilled to its burst is the same as none, so such buckets are forgotten: swept
 * once the map has doubled since the last sweep (amortised, no timer), which keeps it within twice
 * the principals seen in the last burst/rate seconds — as the Redis buckets expire.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, BucketState>();
  private readonly sweeps = new SweepSchedule();

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
    if (this.sweeps.due(this.buckets.size)) this.forgetFull(now);
    return { allowed, retryAfterMs };
  }

  private forgetFull(now: number): void {
    for (const [principal, state] of this.buckets) {
      if (state.tokens + ((now - state.updatedAt) * this.ratePerSecond) / 1000 >= this.burst) this.buckets.delete(principal);
    }
    this.sweeps.swept(this.buckets.size);
  }
}
