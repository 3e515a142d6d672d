// The results file of one suite invocation: bench/results/<scenario>-<date>[-label].json with the
// machine, the versions, the options and every run's record, rewritten after each run so an
// interrupted invocation keeps what it measured. `resultsProblems` is the shape check the smoke
// test and the report both rely on.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo } from '../fanout/machine-info.js';
import type { RunRecord } from './scenario.js';

// This file is bench/{src,dist}/suite/results-file.*.
export const RESULTS_DIR = fileURLToPath(new URL('../../results/', import.meta.url));

export interface SuiteResults {
  readonly bench: string;
  readonly when: string;
  readonly machine: ReturnType<typeof machineInfo>;
  readonly argv: readonly string[];
  readonly options: Readonly<Record<string, unknown>>;
  readonly results: readonly RunRecord[];
}

export function resultsPath(scenario: string, started: Date, label: string | undefined, out: string | undefined): string {
  if (out !== undefined) return resolve(out);
  const stamp = started.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return resolve(RESULTS_DIR, `${scenario}-${stamp}${label ? `-${label}` : ''}.json`);
}

export class ResultsFile {
  private readonly results: RunRecord[] = [];
  private readonly head: Omit<SuiteResults, 'results'>;

  constructor(
    readonly path: string,
    scenario: string,
    started: Date,
    argv: readonly string[],
    options: Readonly<Record<string, unknown>>,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.head = { bench: scenario, when: started.toISOString(), machine: machineInfo(), argv, options };
  }

  add(run: RunRecord): void {
    this.results.push(run);
    writeFileSync(this.path, `${JSON.stringify({ ...this.head, results: this.results } satisfies SuiteResults, null, 2)}\n`);
  }

  get count(): number {
    return this.results.length;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What is wrong with a parsed results file, as dotted paths; empty when it is well-formed. */
export function resultsProblems(value: unknown): string[] {
  if (!isRecord(value)) return ['(not an object)'];
  const problems: string[] = [];
  for (const key of ['bench', 'when']) if (typeof value[key] !== 'string') problems.push(key);
  if (typeof value['when'] === 'string' && Number.isNaN(Date.parse(value['when']))) problems.push('when (not a date)');
  if (!isRecord(value['machine']) || typeof value['machine']['node'] !== 'string') problems.push('machine');
  if (!Array.isArray(value['argv'])) problems.push('argv');
  if (!isRecord(value['options'])) problems.push('options');
  if (!Array.isArray(value['results'])) return [...problems, 'results'];
  value['results'].forEach((run: unknown, i) => {
    const at = `results.${i}`;
    if (!isRecord(run)) return problems.push(at);
    for (const key of ['server', 'description']) if (typeof run[key] !== 'string') problems.push(`${at}.${key}`);
    if (!isRecord(run['config'])) problems.push(`${at}.config`);
    if (typeof run['loadAverageAtStart'] !== 'number') problems.push(`${at}.loadAverageAtStart`);
    if (run['error'] === undefined ? !isRecord(run['figures']) : typeof run['error'] !== 'string') problems.push(`${at}.figures`);
    return undefined;
  });
  return problems;
}
