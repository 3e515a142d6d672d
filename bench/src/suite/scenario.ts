// What a bench scenario is to the suite: a name, a one-line example, the options it takes, and a
// run that records its results as it goes (each record is saved at once, so Ctrl-C keeps them).
import type { OptionSpecs, OptionValues } from './suite-options.js';

/** One measured configuration of a scenario: which server, with what settings, and its figures. */
export interface RunRecord {
  /** The server measured (tidings, nchan, socketio, soketi, floor). */
  readonly server: string;
  /** Its version and settings. */
  readonly description: string;
  /** The settings of this run within the scenario (transport, counts, mode…). */
  readonly config: Readonly<Record<string, string | number | boolean>>;
  /** The machine's 1-minute load average when the run began: was anything else running? */
  readonly loadAverageAtStart: number;
  /** Scenario-specific figures; null when the run failed. */
  readonly figures: Readonly<Record<string, unknown>> | null;
  /** Raw series (per step, per second), when the scenario keeps one. */
  readonly series?: readonly object[];
  readonly error?: string;
}

export interface ScenarioContext {
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
  /** Saves one run's record in the results file right away. */
  readonly record: (run: RunRecord) => void;
  /** Wait between the last connect and the idle-memory reading (shorter in the smoke test). */
  readonly settleMs?: number;
}

export interface Scenario {
  readonly name: string;
  readonly summary: string;
  /** A one-line command that runs it at a size this machine takes in a few minutes. */
  readonly example: string;
  readonly options: OptionSpecs;
  run(options: OptionValues, context: ScenarioContext): Promise<void>;
}
