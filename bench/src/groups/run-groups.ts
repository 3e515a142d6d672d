// The consumer-group bench: `npm run bench:groups -- [--consumers 4] [--events 100000]
// [--count 100] [--edges 2]`. Starts redis-server and the edges, publishes a backlog to one
// channel, then lets one group's consumers claim and acknowledge all of it, and writes the figures
// (claimed+acked events per second, claim and ack latency, CPU of edges, Redis and this process,
// which runs the consumers) to bench/results/groups-<time>.json.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cpuSince, sumCpu } from '../loadgen/index.js';
import { machineInfo } from '../fanout/machine-info.js';
import { startTidings } from '../servers/tidings-server.js';
import { consumeBacklog } from './consume-backlog.js';

const RESULTS_DIR = new URL('../../results/', import.meta.url);
const CHANNEL = 'bench/orders';
const GROUP = 'billing';
const PUBLISH_BATCH = 500;

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

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
  const server = await startTidings({ edges });
  try {
    const urls = server.targets.map((t) => `http://${t.host}:${t.port}`);
    const groupUrl = `${urls[0]}/v1/channels/${encodeURIComponent(CHANNEL)}/groups/${GROUP}`;
    await fetch(groupUrl, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ start: 'all', visibilitySeconds: 60 }) });

    const publishStarted = performance.now();
    for (let sent = 0; sent < events; sent += PUBLISH_BATCH) {
      const batch = Array.from({ length: Math.min(PUBLISH_BATCH, events - sent) }, (_, i) => ({ channel: CHANNEL, data: { order: sent + i, total: 42.5 } }));
      const res = await fetch(`${urls[0]}/v1/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: batch }) });
      if (res.status !== 201) throw new Error(`publish answered ${res.status}: ${await res.text()}`);
    }
    const publishSeconds = (performance.now() - publishStarted) / 1000;
    console.log(`published ${events} events in ${round(publishSeconds)} s`);

    const pids = server.serverPids();
    const before = { edges: sumCpu(pids), redis: sumCpu(server.redisPids), bench: process.cpuUsage() };
    const result = await consumeBacklog({ urls, channel: CHANNEL, group: GROUP, consumers, count, events });
    const bench = process.cpuUsage(before.bench);
    const cpu = {
      edgesSeconds: seconds(cpuSince(before.edges, sumCpu(pids))),
      redisSeconds: seconds(cpuSince(before.redis, sumCpu(server.redisPids))),
      consumersSeconds: round((bench.user + bench.system) / 1e6),
    };
    const info = (await (await fetch(groupUrl)).json()) as { pending: number; lag: number };
    const ms = (h: typeof result.claims) => ({ samples: h.count, p50: round(h.percentile(50) / 1000), p99: round(h.percentile(99) / 1000), max: round(h.max / 1000) });
    const figures = {
      scenario: { consumers, events, count, edges },
      server: server.description,
      publishEventsPerSecond: Math.round(events / publishSeconds),
      drainSeconds: round(result.seconds),
      claimedAckedPerSecond: Math.round(result.acked / result.seconds),
      acked: result.acked,
      repeated: result.repeated,
      groupAfter: { pending: info.pending, lag: info.lag },
      claimMs: ms(result.claims),
      ackMs: ms(result.acks),
      cpu,
    };
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
    const file = new URL(`groups-${stamp}${values.label ? `-${values.label}` : ''}.json`, RESULTS_DIR);
    writeFileSync(file, `${JSON.stringify({ bench: 'groups', when: new Date().toISOString(), machine: machineInfo(), argv, results: [figures] }, null, 2)}\n`);
    console.log(
      `${consumers} consumers, ${count} per claim: ${figures.claimedAckedPerSecond} events/s claimed+acked; claim p99 ${figures.claimMs.p99} ms, ack p99 ${figures.ackMs.p99} ms; ` +
        `CPU s: edges ${cpu.edgesSeconds}, redis ${cpu.redisSeconds}, consumers ${cpu.consumersSeconds}; repeated ${result.repeated}, pending after ${info.pending}`,
    );
    console.log(`→ ${file.pathname}`);
    return result.acked === events && result.repeated === 0 && info.pending === 0 ? 0 : 1;
  } finally {
    await server.stop();
  }
}

function seconds(times: { userSeconds: number; systemSeconds: number }): number {
  return round(times.userSeconds + times.systemSeconds);
}

process.exitCode = await main(process.argv.slice(2));
