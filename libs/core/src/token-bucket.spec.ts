import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { takeTokens } from './token-bucket.js';

describe('takeTokens', () => {
  it('allows a full burst at once, then refuses, saying when to come back', () => {
    let state;
    for (let i = 0; i < 5; i++) {
      const take = takeTokens(state, 1, 10, 5, 1000);
      expect(take.allowed).toBe(true);
      state = take.state;
    }
    expect(takeTokens(state, 1, 10, 5, 1000)).toMatchObject({ allowed: false, retryAfterMs: 100 });
  });

  it('refills at the rate, never above the burst', () => {
    const empty = { tokens: 0, updatedAt: 0 };
    expect(takeTokens(empty, 1, 10, 5, 99).allowed).toBe(false);
    expect(takeTokens(empty, 1, 10, 5, 100).allowed).toBe(true);
    expect(takeTokens(empty, 1, 10, 5, 60_000).state.tokens).toBe(4);
  });

  it('takes a whole batch or nothing', () => {
    const three = { tokens: 3, updatedAt: 0 };
    expect(takeTokens(three, 4, 10, 5, 0)).toMatchObject({ allowed: false, retryAfterMs: 100, state: { tokens: 3 } });
    expect(takeTokens(three, 3, 10, 5, 0)).toMatchObject({ allowed: true, state: { tokens: 0 } });
  });

  it('does not refill when the clock goes backwards', () => {
    expect(takeTokens({ tokens: 0, updatedAt: 1000 }, 1, 10, 5, 500).allowed).toBe(false);
  });
});

describe('takeTokens, whatever the sequence of requests', () => {
  it('never allows more than the burst plus what the rate refilled', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 50 })), { maxLength: 200 }),
        (rate, burst, requests) => {
          let state;
          let now = 0;
          let granted = 0;
          for (const [wait, cost] of requests) {
            now += wait;
            const take = takeTokens(state, cost, rate, burst, now);
            state = take.state;
            if (take.allowed) granted += cost;
            else expect(take.retryAfterMs).toBeGreaterThan(0);
          }
          expect(granted).toBeLessThanOrEqual(burst + (now * rate) / 1000 + 1e-6);
        },
      ),
    );
  });
});
