import type { RateLimiter } from './ports.js';
import { type BucketState, takeTokens } from './token-bucket.js';

/** Buckets in this process's memory (the in-process engine: one process is the whole cluster). */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, BucketState>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  async take(principal: string, cost: number): Promise<{ allowed: boolean; retryAfterMs: number }> {
    const { allowed, retryAfterMs, state } = takeTokens(this.buckets.get(principal), cost, this.ratePerSecond, this.burst, this.now());
    this.buckets.set(principal, state);
    return { allowed, retryAfterMs };
  }
}
