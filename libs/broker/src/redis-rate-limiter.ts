import type { RateLimiter } from '@tidings/core';
import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';

/** Cluster-wide token buckets (take-tokens.lua): a principal's budget is the same on every node. */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {}

  async take(principal: string, cost: number): Promise<{ allowed: boolean; retryAfterMs: number }> {
    const [allowed, retryAfterMs] = await this.redis.tidingsTakeTokens(this.keys.rateBucket(principal), cost, this.ratePerSecond, this.burst);
    return { allowed: allowed === 1, retryAfterMs };
  }
}
