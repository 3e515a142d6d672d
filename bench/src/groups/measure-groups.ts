// The consumer-group measurement: start redis-server and the edges, publish a backlog to one
// channel, let one group's consumers claim and acknowledge all of it, and return the figures
// (claimed+acked events per second, claim and ack latency, CPU of edges, Redis and this process,
// which runs the consumers). Shared by `npm run bench:groups` and the suite's groups scenario.
import { cpuSince, sumCpu } from '../loadgen/index.js';
import { startTidings } from '../servers/tidings-server.js';
import { consumeBacklog } from './consume-backlog.js';

const CHANNEL = 'bench/orders';
const GROUP = 'billing';
// The edge's default batch limit (edge.maxBatch).
const PUBLISH_BATCH = 100;

export interface GroupsPlan {
  readonly consumers: number;
  readonly events: number;
  /** Events per claim. */
  readonly count: number;
  readonly edges: number;
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const seconds = (times: { userSeconds: number; systemSeconds: number }) => round(times.userSeconds + times.systemSeconds);

export async function measureGroups(plan: GroupsPlan, log: (line: string) => void) {
  const { consumers, events, count, edges } = plan;
  // A log long enough to hold the whole backlog: the default (10,000) would trim most of it before
  // it is claimed, which the group reports as a reset — lost events, not a drain.
  const server = await startTidings({ edges, edgeArgs: ['--retention-max-length', String(2 * events)] });
  try {
    const urls = server.targets.map((t) => `http://${t.host}:${t.port}`);
    const groupUrl = `${urls[0]}/v1/channels/${encodeURIComponent(CHANNEL)}/groups/${GROUP}`;
    const created = await fetch(groupUrl, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ start: 'all', visibilitySeconds: 60 }) });
    if (!created.ok) throw new Error(`group creation answered ${created.status}: ${await created.text()}`);

    const publishStarted = performance.now();
    for (let sent = 0; sent < events; sent += PUBLISH_BATCH) {
      const batch = Array.from({ length: Math.min(PUBLISH_BATCH, events - sent) }, (_, i) => ({ channel: CHANNEL, data: { order: sent + i, total: 42.5 } }));
      const res = await fetch(`${urls[0]}/v1/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: batch }) });
      if (res.status !== 201) throw new Error(`publish answered ${res.status}: ${await res.text()}`);
    }
    const publishSeconds = (performance.now() - publishStarted) / 1000;
    log(`  published ${events} events in ${round(publishSeconds)} s; consuming`);

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
    return {
      description: server.description,
      figures: {
        scenario: { consumers, events, count, edges },
        publishEventsPerSecond: Math.round(events / publishSeconds),
        drainSeconds: round(result.seconds),
        claimedAckedPerSecond: Math.round(result.acked / result.seconds),
        acked: result.acked,
        repeated: result.repeated,
        groupAfter: { pending: info.pending, lag: info.lag },
        claimMs: ms(result.claims),
        ackMs: ms(result.acks),
        cpu,
      },
    };
  } finally {
    await server.stop();
  }
}
