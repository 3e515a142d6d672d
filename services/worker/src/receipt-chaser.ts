import type { RedisReceiptRetries } from '@tidings/broker';
import { planRetryRound, type RetryPolicy } from '@tidings/core';
import type { Logger, WorkerMetrics } from '@tidings/observability';
import type { StreamId } from '@tidings/protocol';
import type { DeadLetters } from './dead-letters.js';

/** Plans made and found stale (a device answered meanwhile, or another run got there first) before giving up for now. */
const MAX_PLANS_PER_RUN = 3;
const CONTENDED_RETRY_MS = 1000;

/**
 * One run of an ack event's job: applies whatever retry round is due now and says when to come
 * back. Everything it changes is guarded in Redis (see retry-round.lua), so a run repeated after a
 * crash, or overlapping another worker's, never multiplies retries or overwrites an answer.
 */
export class ReceiptChaser {
  constructor(
    private readonly retries: RedisReceiptRetries,
    private readonly policy: RetryPolicy,
    private readonly deadLetters: DeadLetters | undefined,
    private readonly metrics: WorkerMetrics,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** When the event's next round is due, or undefined when every device has answered or is dead. */
  async run(channel: string, id: StreamId): Promise<number | undefined> {
    for (let plan = 0; plan < MAX_PLANS_PER_RUN; plan++) {
      const now = this.now();
      const state = await this.retries.openReceipts(channel, id);
      const round = state ? planRetryRound(state.publishedAt, state.open, this.policy, now) : { redeliver: [], dead: [] };
      // Announced before they are applied, so a crash in between loses no dead letter; the
      // sender only reports devices it finds dead (see DeadLetters).
      if (round.dead.length > 0) await this.deadLetters?.announce(channel, id, round.dead.map((d) => d.device));
      const applied = await this.retries.apply(channel, id, round, now);
      this.metrics.redeliveriesTotal.inc(applied.redelivered.length);
      this.metrics.deadTotal.inc(applied.dead.length);
      if (applied.redelivered.length > 0 || applied.dead.length > 0) {
        this.logger.info({ channel, id, redelivered: applied.redelivered.length, dead: applied.dead.length }, 'retry round');
      }
      if (applied.outcome === 'trimmed') {
        this.logger.warn({ channel, id, dead: applied.dead.length }, 'event left the log before every device answered; declared the rest dead');
        if (applied.dead.length > 0) await this.deadLetters?.announce(channel, id, applied.dead.map((d) => d.device));
        return undefined;
      }
      if (applied.outcome === 'gone') return undefined;
      if (applied.redelivered.length === round.redeliver.length && applied.dead.length === round.dead.length) return round.nextDueAt;
    }
    return this.now() + CONTENDED_RETRY_MS;
  }
}
