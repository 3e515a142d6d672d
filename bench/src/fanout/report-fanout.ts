// Prints the Markdown tables of one or more fan-out results files:
// node bench/dist/fanout/report-fanout.js bench/results/fanout-*.json
import { readFileSync } from 'node:fs';
import { type ResultsFile, fanoutTable } from './fanout-table.js';

const paths = process.argv.slice(2);
if (paths.length === 0) {
  console.error('Usage: node bench/dist/fanout/report-fanout.js RESULTS.json…');
  process.exitCode = 2;
} else {
  const files = paths.map((path) => JSON.parse(readFileSync(path, 'utf8')) as ResultsFile);
  process.stdout.write(fanoutTable(files));
}
