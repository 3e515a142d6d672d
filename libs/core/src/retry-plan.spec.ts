import { describe, expect, it } from 'vitest';
import { backoffDelay, planRetryRound, type RetryPolicy } from './retry-plan.js';

const policy: RetryPolicy = { ackTimeoutMs: 30_000, maxRetries: 3, backoffBaseMs: 5_000, backoffMaxMs: 20_000, deadlineMs: 600_000 };
const published = 1_000_000;
const noJitter = () => 1; // the random half at its maximum: delay = nominal

describe('planRetryRound', () => {
  it('leaves a device alone until the ack timeout has passed, and says when to come back', () => {
    const round = planRetryRound(published, [{ device: 'a', retries: 0 }], policy, published + 29_999);
    expect(round).toEqual({ redeliver: [], dead: [], nextDueAt: published + 30_000 });
  });

  it('redelivers once the ack timeout has passed and schedules the next round after the base backoff', () => {
    const now = published + 30_000;
    const round = planRetryRound(published, [{ device: 'a', retries: 0 }], policy, now, noJitter);
    expect(round).toEqual({ redeliver: [{ device: 'a', fromRetries: 0, nextRetryAt: now + 5_000 }], dead: [], nextDueAt: now + 5_000 });
  });

  it('doubles the wait each round up to the cap', () => {
    const delays = [1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, noJitter));
    expect(delays).toEqual([5_000, 10_000, 20_000, 20_000, 20_000]);
  });

  it('jitters within the upper half of the nominal wait', () => {
    expect(backoffDelay(2, policy, () => 0)).toBe(5_000);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(7_500);
  });

  it('declares a device dead when its turn comes with no retries left', () => {
    const now = published + 100_000;
    const round = planRetryRound(published, [{ device: 'a', retries: 3, nextRetryAt: now }], policy, now);
    expect(round).toEqual({ redeliver: [], dead: [{ device: 'a', fromRetries: 3 }] });
  });

  it('declares a device dead at the deadline even with retries left', () => {
    const generous = { ...policy, maxRetries: 100 };
    const now = published + policy.deadlineMs;
    const round = planRetryRound(published, [{ device: 'a', retries: 7, nextRetryAt: now - 1 }], generous, now);
    expect(round.dead).toEqual([{ device: 'a', fromRetries: 7 }]);
  });

  it('never schedules a round past the deadline, so the deadline is when the device turns dead', () => {
    const now = published + policy.deadlineMs - 1_000;
    const round = planRetryRound(published, [{ device: 'a', retries: 1, nextRetryAt: now }], policy, now, noJitter);
    expect(round.redeliver).toEqual([{ device: 'a', fromRetries: 1, nextRetryAt: published + policy.deadlineMs }]);
  });

  it('handles each device on its own schedule and reports the earliest next turn', () => {
    const now = published + 60_000;
    const round = planRetryRound(
      published,
      [
        { device: 'due', retries: 1, nextRetryAt: now - 1 },
        { device: 'later', retries: 1, nextRetryAt: now + 2_000 },
        { device: 'spent', retries: 3, nextRetryAt: now },
      ],
      policy,
      now,
      noJitter,
    );
    expect(round.redeliver.map((r) => r.device)).toEqual(['due']);
    expect(round.dead.map((d) => d.device)).toEqual(['spent']);
    expect(round.nextDueAt).toBe(now + 2_000);
  });

  it('with zero retries allowed, a device that misses the ack timeout is dead at once', () => {
    const round = planRetryRound(published, [{ device: 'a', retries: 0 }], { ...policy, maxRetries: 0 }, published + 30_000);
    expect(round).toEqual({ redeliver: [], dead: [{ device: 'a', fromRetries: 0 }] });
  });

  it('has nothing to do for an event with no open devices', () => {
    expect(planRetryRound(published, [], policy, published + 1)).toEqual({ redeliver: [], dead: [] });
  });
});
