// Exponential backoff with full jitter: every client that lost the same node picks its own
// delay anywhere below the ceiling, so a dead node does not turn into a reconnect storm.

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  random?: () => number;
}

export interface Backoff {
  /** Failed attempts since the last reset. */
  readonly attempt: number;
  /**
   * The delay before the next attempt: random() × min(maxMs, baseMs × 2^attempt). A server
   * hint (SSE `retry:`) raises the ceiling, never lowers it, and is itself capped by maxMs.
   */
  next(hintMs?: number): number;
  /** Call once a connection proved healthy. */
  reset(): void;
}

export const DEFAULT_BASE_MS = 1000;
export const DEFAULT_MAX_MS = 30_000;

export function createBackoff(options: BackoffOptions = {}): Backoff {
  const baseMs = positive(options.baseMs, DEFAULT_BASE_MS, 'baseMs');
  const maxMs = positive(options.maxMs, DEFAULT_MAX_MS, 'maxMs');
  const random = options.random ?? Math.random;
  let attempt = 0;
  return {
    get attempt() {
      return attempt;
    },
    next(hintMs) {
      // 2^attempt overflows to Infinity long after min() has capped it; stop counting there.
      const exponential = baseMs * 2 ** Math.min(attempt, 52);
      const ceiling = Math.min(maxMs, Math.max(exponential, hintMs ?? 0));
      attempt++;
      return Math.floor(clamp01(random()) * ceiling);
    },
    reset() {
      attempt = 0;
    },
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`reconnect.${name} must be a positive number of milliseconds`);
  return value;
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x >= 1 ? 1 : x;
}
