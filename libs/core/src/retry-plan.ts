/** How the worker chases devices that owe a receipt. All durations in milliseconds. */
export interface RetryPolicy {
  /** First redelivery this long after publish. */
  readonly ackTimeoutMs: number;
  /** Redelivery rounds before a device is dead. */
  readonly maxRetries: number;
  /** Wait after the first redelivery; doubles each round, capped at backoffMaxMs, with jitter. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** A device that has not answered this long after publish is dead, whatever its retries. */
  readonly deadlineMs: number;
}

/** A device that still owes a receipt: nothing from it yet (pending or delivered). */
export interface OpenReceipt {
  readonly device: string;
  /** Redelivery rounds so far. */
  readonly retries: number;
  /** When the next round is due; absent before the first (then publish + ack timeout). */
  readonly nextRetryAt?: number;
}

export interface PlannedRedelivery {
  readonly device: string;
  /** The retries count this round moves the device from (a compare-and-set guard). */
  readonly fromRetries: number;
  readonly nextRetryAt: number;
}

export interface RetryRound {
  readonly redeliver: readonly PlannedRedelivery[];
  readonly dead: readonly { readonly device: string; readonly fromRetries: number }[];
  /** When the next round is due for the devices still open after this one; absent when none are. */
  readonly nextDueAt?: number;
}

/**
 * What one round of the retry job does for one event: devices whose turn has come are redelivered
 * (and their next turn set, with exponential backoff and jitter) or, out of retries or past the
 * deadline, declared dead. Pure, so the Redis script only applies it, guarded by `fromRetries`.
 */
export function planRetryRound(publishedAt: number, open: readonly OpenReceipt[], policy: RetryPolicy, now: number, random: () => number = Math.random): RetryRound {
  const deadline = publishedAt + policy.deadlineMs;
  const redeliver: PlannedRedelivery[] = [];
  const dead: { device: string; fromRetries: number }[] = [];
  let nextDueAt: number | undefined;
  const due = (at: number) => {
    nextDueAt = nextDueAt === undefined ? at : Math.min(nextDueAt, at);
  };
  for (const receipt of open) {
    const dueAt = receipt.nextRetryAt ?? Math.min(deadline, publishedAt + policy.ackTimeoutMs);
    if (now < dueAt) {
      due(dueAt);
    } else if (receipt.retries >= policy.maxRetries || now >= deadline) {
      dead.push({ device: receipt.device, fromRetries: receipt.retries });
    } else {
      const nextRetryAt = Math.min(deadline, now + backoffDelay(receipt.retries + 1, policy, random));
      redeliver.push({ device: receipt.device, fromRetries: receipt.retries, nextRetryAt });
      due(nextRetryAt);
    }
  }
  return nextDueAt === undefined ? { redeliver, dead } : { redeliver, dead, nextDueAt };
}

/**
 * Wait after redelivery number `round` (1-based): base·2^(round-1), capped, then "equal jitter" —
 * half fixed, half random — so devices published to together do not come back together, yet
 * never sooner than half the nominal delay.
 */
export function backoffDelay(round: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const nominal = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.min(round - 1, 30));
  return Math.round(nominal / 2 + (random() * nominal) / 2);
}
