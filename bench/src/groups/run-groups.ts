// The consumer-group bench: `npm run bench:groups -- [--consumers 4] [--events 100000]
// [--count 100] [--edges 2]` (the suite runs the same as `npm run bench -- groups`). Writes the
// figures to bench/results/groups-<time>.json.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { machineInfo } from '../fanout/machine-info.js';
import { measureGroups } from './measure-groups.js';

const RESULTS_DIR = new URL('../../results/', import.meta.url);

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      consumers: { type: 'string', default: '4' },
      events: { type: 'string', default: '100000' },
      count: { type: 'string', default: '100' },
      edges: { type: 'string', default: '2' },
      label: { type: 'string' },
    },
  });
  const [consumers, events, count, edges] = [values.consumers, values.events, values.count, values.edges].map(Number) as [number, number, number, number];
  if (![consumers, events, count, edges].every((n) => Number.isInteger(n) && n > 0) || count > 1000) {
    console.error('usage: npm run bench:groups -- [--consumers 4] [--events 100000] [--count 100 (at most 1000)] [--edges 2] [--label NAME]');
    return 2;
  }
  const { description, figures } = await measureGroups({ consumers, events, count, edges }, (line) => console.log(line));
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const file = new URL(`groups-${stamp}${values.label ? `-${values.label}` : ''}.json`, RESULTS_DIR);
  writeFileSync(file, `${JSON.stringify({ bench: 'groups', when: new Date().toISOString(), machine: machineInfo(), argv, results: [{ ...figures, server: description }] }, null, 2)}\n`);
  const { cpu } = figures;
  console.log(
    `${consumers} consumers, ${count} per claim: ${figures.claimedAckedPerSecond} events/s claimed+acked; claim p99 ${figures.claimMs.p99} ms, ack p99 ${figures.ackMs.p99} ms; ` +
      `CPU s: edges ${cpu.edgesSeconds}, redis ${cpu.redisSeconds}, consumers ${cpu.consumersSeconds}; repeated ${figures.repeated}, pending after ${figures.groupAfter.pending}`,
  );
  console.log(`→ ${file.pathname}`);
  return figures.acked === events && figures.repeated === 0 && figures.groupAfter.pending === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
