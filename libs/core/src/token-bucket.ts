/** A token bucket: `burst` tokens at most, refilled at `ratePerSecond`. */
export interface BucketState {
  readonly tokens: number;
  readonly updatedAt: number;
}

export interface Take {
  readonly allowed: boolean;
  /** When refused: how long until `cost` tokens are there again. */
  readonly retryAfterMs: number;
  readonly state: BucketState;
}

/**
 * Takes `cost` tokens from a bucket at time `now` (ms), refilling first; a refused take changes
 * nothing. The same arithmetic runs in take-token.lua for cluster-wide buckets.
 */
export function takeTokens(state: BucketState | undefined, cost: number, ratePerSecond: number, burst: number, now: number): Take {
  const elapsed = state ? Math.max(0, now - state.updatedAt) : 0;
  const tokens = Math.min(burst, (state?.tokens ?? burst) + (elapsed * ratePerSecond) / 1000);
  if (tokens >= cost) return { allowed: true, retryAfterMs: 0, state: { tokens: tokens - cost, updatedAt: now } };
  return { allowed: false, retryAfterMs: Math.ceil(((cost - tokens) * 1000) / ratePerSecond), state: { tokens, updatedAt: now } };
}
