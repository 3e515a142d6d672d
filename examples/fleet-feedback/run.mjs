// The whole example in one command: two backend replicas in the consumer group "processor", then
// the fleet's reports; it prints what each replica processed and stops once every report was.
//   node examples/fleet-feedback/run.mjs [--devices 20] [--reports 5] [--url http://localhost:8080]
// The last line sums it up: "<n> reports published, <n> processed: replica-a <a>, replica-b <b>".
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.TIDINGS_URL ?? 'http://localhost:8080' },
    devices: { type: 'string', default: '20' },
    reports: { type: 'string', default: '5' },
  },
});
const REPLICAS = ['replica-a', 'replica-b'];
const script = (name) => fileURLToPath(new URL(name, import.meta.url));
const children = new Set();
let finishing = false;

/** Runs an example script, handing each line it prints to `onLine`; any unplanned exit stops everything. */
function run(args, onLine) {
  const child = spawn(process.execPath, [...args, '--url', values.url], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  createInterface({ input: child.stdout }).on('line', onLine);
  child.once('exit', (code, signal) => {
    children.delete(child);
    if (code !== 0 && !finishing) stop(1, `${args[0].split('/').pop()} ${args[1] ?? ''} exited (${signal ?? `code ${code}`})`);
  });
  return child;
}

function stop(code, why) {
  finishing = true;
  if (why) console.error(`fleet-feedback: ${why}; stopping`);
  for (const child of children) child.kill('SIGTERM');
  process.exitCode = code;
}

const published = new Set();
const processedBy = new Map(REPLICAS.map((replica) => [replica, new Set()]));
let devicesDone = false;
const allProcessed = () => devicesDone && [...published].every((id) => REPLICAS.some((r) => processedBy.get(r).has(id)));

function finishIfDone() {
  if (finishing || !allProcessed()) return;
  const counts = REPLICAS.map((r) => `${r} ${[...processedBy.get(r)].filter((id) => published.has(id)).length}`);
  const processed = REPLICAS.reduce((sum, r) => sum + [...processedBy.get(r)].filter((id) => published.has(id)).length, 0);
  stop(0);
  console.log(`${published.size} reports published, ${processed} processed: ${counts.join(', ')}`);
}

for (const replica of REPLICAS) {
  run([script('backend.mjs'), replica], (line) => {
    console.log(line);
    const [who, id] = line.split(' ');
    processedBy.get(who)?.add(id);
    finishIfDone();
  });
}
const devices = run([script('devices.mjs'), '--devices', values.devices, '--reports', values.reports], (id) => published.add(id));
// 'close', not 'exit': by then every id it printed has been read.
devices.once('close', (code) => {
  devicesDone = code === 0;
  finishIfDone();
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => stop(130));
