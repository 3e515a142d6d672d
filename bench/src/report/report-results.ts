// `npm run bench:report`: renders bench/RESULTS.md and its plots (bench/plots/*.svg) from every
// suite results file in bench/results, and the headline table in the repository README.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULTS_DIR } from '../suite/results-file.js';
import { headlineTable } from './headline.js';
import { plots } from './plots.js';
import { withHeadline } from './readme-headline.js';
import { renderResults } from './render-results.js';
import { loadFailedRuns, loadRuns } from './results-set.js';

// This file is bench/{src,dist}/report/report-results.*.
const BENCH_DIR = fileURLToPath(new URL('../../', import.meta.url));

const runs = loadRuns(RESULTS_DIR);
const drawn = plots(runs);
for (const plot of drawn) {
  const path = join(BENCH_DIR, plot.file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, plot.svg);
}
writeFileSync(join(BENCH_DIR, 'RESULTS.md'), renderResults(runs, loadFailedRuns(RESULTS_DIR), drawn));
const readme = join(BENCH_DIR, '..', 'README.md');
if (existsSync(readme)) writeFileSync(readme, withHeadline(readFileSync(readme, 'utf8'), headlineTable(runs)));
console.log(`bench/RESULTS.md: ${runs.length} runs, ${drawn.length} plots`);
