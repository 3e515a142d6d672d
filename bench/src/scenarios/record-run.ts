// Runs one configuration of a scenario and records it, failed or not: the header line, the load
// average at start, the figures or the error. A scenario's loop calls this per configuration and
// stops as soon as the run is interrupted.
import { loadavg } from 'node:os';
import type { RunRecord, ScenarioContext } from '../suite/scenario.js';

export interface Measured {
  readonly description: string;
  readonly figures: Readonly<Record<string, unknown>>;
  readonly series?: readonly object[];
  /** The console line that sums it up. */
  readonly summary: string;
}

export async function recordRun(
  context: ScenarioContext,
  server: string,
  config: RunRecord['config'],
  measure: () => Promise<Measured>,
): Promise<void> {
  if (context.signal.aborted) return;
  context.log(`${server} ${Object.entries(config).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const loadAverageAtStart = Math.round(loadavg()[0]! * 100) / 100;
  try {
    const { description, figures, series, summary } = await measure();
    context.log(`  ${summary}`);
    context.record({ server, description, config, loadAverageAtStart, figures, ...(series === undefined ? {} : { series }) });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const message = context.signal.aborted && reason !== 'interrupted' ? `interrupted (${reason})` : reason;
    context.log(`  failed: ${message}`);
    context.record({ server, description: server, config, loadAverageAtStart, figures: null, error: message });
  }
}
