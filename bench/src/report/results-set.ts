// Every suite results file in a folder, flattened into runs that remember their scenario and when
// they ran; for each scenario, server and configuration only the latest run is kept, so a re-run
// replaces what it measured again and leaves the rest. Files of another shape (the older fan-out
// bench's) are skipped.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../suite/scenario.js';
import { type SuiteResults, resultsProblems } from '../suite/results-file.js';

export interface Run extends RunRecord {
  readonly scenario: string;
  readonly when: string;
  readonly file: string;
  readonly machine: SuiteResults['machine'];
  /** The command line of the invocation that measured it. */
  readonly argv: readonly string[];
}

function allRuns(dir: string): Run[] {
  const runs: Run[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch {
      continue; // not JSON at all: not a results file
    }
    if (resultsProblems(parsed).length > 0) continue;
    const file = parsed as SuiteResults;
    for (const record of file.results) runs.push({ ...record, scenario: file.bench, when: file.when, file: name, machine: file.machine, argv: file.argv });
  }
  return runs;
}

/** Runs that failed (an error instead of figures), for what stopped a size. */
export function loadFailedRuns(dir: string): Run[] {
  return allRuns(dir).filter((r) => r.figures === null && !(r.error ?? '').startsWith('interrupted'));
}

export function loadRuns(dir: string): Run[] {
  const latest = new Map<string, Run>();
  for (const run of allRuns(dir)) {
    if (run.figures === null) continue;
    // Stepped runs with other rates are other measurements: both stay.
    const rates = run.config['mode'] === 'stepped' ? ` ${run.argv[run.argv.indexOf('--rates') + 1] ?? ''}` : '';
    const key = `${run.scenario} ${run.server} ${JSON.stringify(run.config)}${rates}`;
    const previous = latest.get(key);
    if (previous === undefined || previous.when <= run.when) latest.set(key, run);
  }
  return [...latest.values()].sort((a, b) => a.when.localeCompare(b.when));
}

/** A figure at a dotted path of a run's figures; NaN when absent or not a number. */
export function figure(run: Run | undefined, path: string): number {
  let value: unknown = run?.figures;
  for (const key of path.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return typeof value === 'number' ? value : Number.NaN;
}

/** A server process's memory shrinking by more than this while it took connections marks the reading as noise. */
const SHRINK_NOISE_BYTES = 1024 * 1024;

/**
 * Server memory growth per connection; NaN when a server process shrank while it took connections:
 * then its start-up heap was still being collected and the growth is noise, not a measurement
 * (34 edges of ~10k connections each, ~20 MB of growth apiece, showed it). Runs before 2026-11-27
 * measured PSS from before the first connect (serverPssBytesPerProcess); see MEMORY_METHOD.
 */
export function memoryPerConnection(run: Run | undefined): number {
  const memory = (run?.figures as { memory?: { serverGrowthBytesPerProcess?: unknown; serverPssBytesPerProcess?: unknown } } | undefined)?.memory;
  const perProcess = memory?.serverGrowthBytesPerProcess ?? memory?.serverPssBytesPerProcess;
  if (Array.isArray(perProcess) && perProcess.some((bytes) => typeof bytes === 'number' && bytes < -SHRINK_NOISE_BYTES)) return Number.NaN;
  return figure(run, 'memory.serverBytesPerConnection');
}
