// `npm run faults [-- --full]`: runs every fault scenario in turn (small, as in npm test, or at
// full scale), writes the reports to bench/results/faults-<time>-<scale>.json and, at full scale, the
// table of the README between its markers (with --only, those scenarios' rows). `npm run faults -- --soak --minutes N`:
// mixed load with a fault every 30 s for N minutes, written to bench/results/faults-<time>-soak.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CI_SCALE, clusterMasterKill, clusterSlotMigration, clusterSteady, edgeKill, FULL_SCALE, networkFaults, redisRestart, rollingRestart, type Scale, scaleOutAndIn, type ScenarioReport, slowConsumers, soak, workerFaults, workerScale } from '@tidings/testing';
import { faultsTable, withFaultsRows, withFaultsTable } from './faults-table.js';
import { reconnectStorm, STORM_CI, STORM_FULL } from './reconnect-storm.js';

// This file is bench/dist/faults/run-faults.js.
const RESULTS_DIR = fileURLToPath(new URL('../../results/', import.meta.url));
const README = fileURLToPath(new URL('../../../README.md', import.meta.url));

const SCENARIOS: readonly [string, (scale: Scale) => Promise<ScenarioReport>][] = [
  ['edge-kill', edgeKill],
  ['rolling-restart', rollingRestart],
  ['scale-out-in', scaleOutAndIn],
  ['redis-restart-always', (scale) => redisRestart('always', scale)],
  ['redis-restart-everysec', (scale) => redisRestart('everysec', scale)],
  ['cluster-master-kill', (scale) => clusterMasterKill(scale)],
  ['cluster-master-kill-replicas-1', (scale) => clusterMasterKill(scale, ['--publish-replicas', '1'])],
  ['cluster-slot-migration', clusterSlotMigration],
  // No fault: what --publish-replicas 1 costs a publish (publishMs in the results JSON).
  ['cluster-steady', (scale) => clusterSteady(scale)],
  ['cluster-steady-replicas-1', (scale) => clusterSteady(scale, ['--publish-replicas', '1'])],
  ['worker-kill', (scale) => workerFaults('kill', workerScale(scale))],
  ['worker-race', (scale) => workerFaults('race', workerScale(scale))],
  ['network-redis', (scale) => networkFaults('redis', scale)],
  ['network-clients', (scale) => networkFaults('clients', scale)],
  ['slow-consumers', slowConsumers],
  // Their own scale: 24,000 devices in the full run, held by the bench's load generator.
  ['reconnect-storm', (scale) => reconnectStorm(scale === FULL_SCALE ? STORM_FULL : STORM_CI)],
  ['reconnect-storm-edge-kill', (scale) => reconnectStorm(scale === FULL_SCALE ? STORM_FULL : STORM_CI, 'edge-kill')],
];

async function main(argv: readonly string[]): Promise<number> {
  const full = argv.includes('--full');
  const scale = full ? FULL_SCALE : CI_SCALE;
  const started = new Date();
  const stamp = started.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  mkdirSync(RESULTS_DIR, { recursive: true });
  if (argv.includes('--soak')) return runSoak(argv, started, `${RESULTS_DIR}faults-${stamp}-soak.json`);
  const path = `${RESULTS_DIR}faults-${stamp}-${full ? 'full' : 'ci'}${argv.includes('--only') ? '-only' : ''}.json`;
  // --only a,b: just those scenarios (to measure again after a fix); at full scale their rows of the README table are replaced.
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1]?.split(',') : undefined;
  const reports: ScenarioReport[] = [];
  for (const [name, run] of SCENARIOS) {
    if (only && !only.includes(name)) continue;
    console.log(`${name}: running`);
    const report = await run(scale);
    reports.push(report);
    // Written after each scenario, so an interrupted run keeps what it measured.
    writeFileSync(path, `${JSON.stringify({ started: started.toISOString(), scale, reports }, null, 2)}\n`);
    const { faults, unexpected, ...figures } = report;
    console.log(JSON.stringify({ ...figures, faults: faults.length, unexpected }));
  }
  const table = faultsTable(reports);
  console.log(`\n${table}\n\nresults: ${path}`);
  if (full) {
    const readme = readFileSync(README, 'utf8');
    writeFileSync(README, only ? withFaultsRows(readme, table, SCENARIOS.map(([name]) => name)) : withFaultsTable(readme, table));
  }
  const receiptsWrong = (r: ScenarioReport) => (r.receipts ? r.receipts.unsettled + r.receipts.wrongRetries + r.receipts.lettersMissing + r.receipts.lettersDuplicated : 0);
  const broken = reports.filter((r) => r.outOfOrder > 0 || r.unexpected.length > 0 || r.missingKept > 0 || (r.lostByRedis === 0 && r.missing > 0) || receiptsWrong(r) > 0);
  return broken.length === 0 ? 0 : 1;
}

async function runSoak(argv: readonly string[], started: Date, path: string): Promise<number> {
  const at = argv.indexOf('--minutes');
  const minutes = at < 0 ? 60 : Number(argv[at + 1]);
  if (!Number.isInteger(minutes) || minutes < 2) throw new Error('--minutes must be a whole number of at least 2');
  console.log(`soak: ${minutes} minutes`);
  const report = await soak(minutes);
  writeFileSync(path, `${JSON.stringify({ started: started.toISOString(), report }, null, 2)}\n`);
  const { faults, unexpected, ...figures } = report;
  console.log(JSON.stringify({ ...figures, faults: faults.length, unexpected }, null, 2), `\nresults: ${path}`);
  return report.missing === 0 && report.outOfOrder === 0 && unexpected.length === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
