import { describe, expect, it } from 'vitest';
import { NO_RESTARTS, type RestartDecision, type RestartPolicy, type RestartState, type RunOutcome, planRestart } from './restart-policy.js';

const POLICY: RestartPolicy = { firstDelayMs: 100, maxDelayMs: 1000, stableMs: 60_000, maxStartFailures: 3 };
const CRASHED_WHILE_SERVING: RunOutcome = { becameReady: true, servedMs: 5 };
const NEVER_READY: RunOutcome = { becameReady: false, servedMs: 0 };

/** The decisions for a run of outcomes, starting from a fresh slot. */
function decide(outcomes: readonly RunOutcome[], random = () => 1): RestartDecision[] {
  let state: RestartState = NO_RESTARTS;
  return outcomes.map((outcome) => {
    const decision = planRestart(state, outcome, POLICY, random);
    if (decision.action === 'restart') state = decision.state;
    return decision;
  });
}

const delays = (decisions: readonly RestartDecision[]) => decisions.map((d) => (d.action === 'restart' ? d.delayMs : d.action));

describe('planRestart', () => {
  it('doubles the wait with every quick crash, up to the cap', () => {
    expect(delays(decide(Array(6).fill(CRASHED_WHILE_SERVING)))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('waits at least half of each step and at most all of it (equal jitter)', () => {
    expect(delays(decide([CRASHED_WHILE_SERVING, CRASHED_WHILE_SERVING], () => 0))).toEqual([50, 100]);
    expect(delays(decide([CRASHED_WHILE_SERVING, CRASHED_WHILE_SERVING], () => 0.5))).toEqual([75, 150]);
  });

  it('starts a fresh streak after a member served for the stable period', () => {
    const served: RunOutcome = { becameReady: true, servedMs: POLICY.stableMs };
    expect(delays(decide([CRASHED_WHILE_SERVING, CRASHED_WHILE_SERVING, served, CRASHED_WHILE_SERVING]))).toEqual([100, 200, 100, 200]);
  });

  it('gives up on a member that keeps ending before it is ready', () => {
    expect(delays(decide([NEVER_READY, NEVER_READY, NEVER_READY]))).toEqual([100, 200, 'give-up']);
    expect(decide([NEVER_READY, NEVER_READY, NEVER_READY])[2]).toEqual({ action: 'give-up', startFailures: 3 });
  });

  it('forgets failed starts once a start succeeds, but keeps backing off', () => {
    expect(delays(decide([NEVER_READY, NEVER_READY, CRASHED_WHILE_SERVING, NEVER_READY, NEVER_READY]))).toEqual([100, 200, 400, 800, 1000]);
  });
});
