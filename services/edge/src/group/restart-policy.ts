/** How the supervisor restarts a member of the group that ended without being asked to. */
export interface RestartPolicy {
  /** Longest wait before the first restart of a streak; each further quick crash doubles it. */
  readonly firstDelayMs: number;
  /** The doubling stops here. */
  readonly maxDelayMs: number;
  /** A member that served this long before it ended starts a fresh streak. */
  readonly stableMs: number;
  /** Starts in a row that end before the member is ready, after which the supervisor gives up. */
  readonly maxStartFailures: number;
}

export const RESTART_POLICY: RestartPolicy = { firstDelayMs: 250, maxDelayMs: 30_000, stableMs: 60_000, maxStartFailures: 5 };

/** What the supervisor remembers about one member slot between restarts. */
export interface RestartState {
  /** Ends in the current streak (each one not preceded by a stable run). */
  readonly crashes: number;
  /** Starts in a row that ended before the member became ready. */
  readonly startFailures: number;
}

export const NO_RESTARTS: RestartState = { crashes: 0, startFailures: 0 };

/** How a member's last run ended. */
export interface RunOutcome {
  readonly becameReady: boolean;
  /** Time from ready to its end; 0 when it never became ready. */
  readonly servedMs: number;
}

export type RestartDecision =
  | { readonly action: 'restart'; readonly delayMs: number; readonly state: RestartState }
  | { readonly action: 'give-up'; readonly startFailures: number };

/**
 * Restart after a capped exponential backoff with equal jitter (at least half the step, so members
 * that fell together do not all come back in the same instant), or give up on a member that cannot
 * even start: a bad file or a taken port does not heal by retrying it forever.
 */
export function planRestart(state: RestartState, outcome: RunOutcome, policy: RestartPolicy, random: () => number): RestartDecision {
  const startFailures = outcome.becameReady ? 0 : state.startFailures + 1;
  if (startFailures >= policy.maxStartFailures) return { action: 'give-up', startFailures };
  const crashes = outcome.becameReady && outcome.servedMs >= policy.stableMs ? 1 : state.crashes + 1;
  const step = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (crashes - 1));
  return { action: 'restart', delayMs: Math.round(step / 2 + random() * (step / 2)), state: { crashes, startFailures } };
}
