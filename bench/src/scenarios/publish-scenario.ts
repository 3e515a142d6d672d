// publish: HTTP publish throughput and answer latency with autocannon, single events
// (POST /v1/channels/{channel}/events) and batches (POST /v1/publish), against one edge, three
// edges (one autocannon per edge, together) and one edge run with `--processes 2`. No subscribers:
// what publishing alone costs the edges and Redis. Each autocannon runs in a process of its own,
// so its CPU is reported apart and the per CPU-second figures are the edges' (and Redis's) only.
import { type CpuTimes, cpuSince, readMachineCpu, sumCpu } from '../loadgen/index.js';
import { eventData } from '../loadgen/index.js';
import { type TidingsOptions, startTidings } from '../servers/tidings-server.js';
import type { Scenario } from '../suite/scenario.js';
import { type CannonResult, cannonApart } from './autocannon-run.js';
import { recordRun } from './record-run.js';

const LAYOUTS: Readonly<Record<string, TidingsOptions>> = {
  'one-edge': { edges: 1 },
  'three-edges': { edges: 3 },
  'processes-2': { edges: 1, edgeArgs: ['--processes', '2'] },
};

const total = (t: CpuTimes) => t.userSeconds + t.systemSeconds;
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function body(mode: string, batchSize: number, payloadBytes: number): { path: string; body: string } {
  const data = eventData(1, 0, payloadBytes);
  if (mode === 'single') return { path: '/v1/channels/bench/events', body: JSON.stringify({ data }) };
  return { path: '/v1/publish', body: JSON.stringify({ events: Array.from({ length: batchSize }, (_, i) => ({ channel: `bench/b${i % 10}`, data })) }) };
}

/** Adds up the instances that ran side by side: requests add, latency is the worst instance's. */
function combine(results: readonly CannonResult[], seconds: number) {
  const requests = results.reduce((n, r) => n + r.requests.total, 0);
  return {
    requests,
    requestsPerSecond: Math.round(requests / seconds),
    latencyMs: { p50: Math.max(...results.map((r) => r.latency.p50)), p99: Math.max(...results.map((r) => r.latency.p99)), max: Math.max(...results.map((r) => r.latency.max)) },
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    errors: results.reduce((n, r) => n + r.errors, 0),
    timeouts: results.reduce((n, r) => n + r.timeouts, 0),
  };
}

export const publishScenario: Scenario = {
  name: 'publish',
  summary: 'HTTP publish throughput and latency (autocannon): single and batch, one edge, three edges, --processes 2',
  example: 'npm run bench -- publish --layout one-edge,three-edges,processes-2 --mode single,batch --seconds 10',
  options: {
    layout: { kind: 'words', default: ['one-edge', 'three-edges', 'processes-2'], allowed: Object.keys(LAYOUTS), help: 'edge layouts' },
    mode: { kind: 'words', default: ['single', 'batch'], allowed: ['single', 'batch'], help: 'one event per request, or a batch' },
    'batch-size': { kind: 'int', default: 50, min: 1, max: 100, help: 'events per batch (over 10 channels)' },
    connections: { kind: 'int', default: 16, min: 1, max: 1000, help: 'autocannon connections in all (split over the edges)' },
    seconds: { kind: 'int', default: 10, min: 1, max: 300, help: 'how long each run lasts' },
    'payload-bytes': { kind: 'int', default: 64, min: 32, max: 16_000, help: "each event's data size" },
  },
  async run(options, context) {
    const seconds = options.int('seconds');
    for (const layout of options.words('layout')) {
      for (const mode of options.words('mode')) {
        if (context.signal.aborted) return;
        const batchSize = mode === 'batch' ? options.int('batch-size') : 1;
        await recordRun(context, 'tidings', { layout, mode, batchSize, connections: options.int('connections') }, async () => {
          const server = await startTidings(LAYOUTS[layout]!);
          try {
            const request = body(mode, batchSize, options.int('payload-bytes'));
            const perEdge = Math.max(1, Math.floor(options.int('connections') / server.targets.length));
            const pids = server.serverPids();
            const before = { server: sumCpu(pids), redis: sumCpu(server.redisPids), machine: readMachineCpu() };
            const runs = await Promise.all(
              server.targets.map((t) => cannonApart({ url: `http://${t.host}:${t.port}${request.path}`, body: request.body, connections: perEdge, seconds }, context.signal)),
            );
            const machine = readMachineCpu();
            const cpu = {
              server: total(cpuSince(before.server, sumCpu(pids))),
              redis: total(cpuSince(before.redis, sumCpu(server.redisPids))),
              autocannon: runs.reduce((sum, run) => sum + total(run.cpu), 0),
            };
            const combined = combine(
              runs.map((run) => run.result),
              seconds,
            );
            const events = combined.requests * batchSize;
            const figures = {
              ...combined,
              eventsPerSecond: Math.round(events / seconds),
              cpuSeconds: { server: round(cpu.server), redis: round(cpu.redis), autocannon: round(cpu.autocannon) },
              machineBusyFraction: round((machine.busySeconds - before.machine.busySeconds) / (machine.totalSeconds - before.machine.totalSeconds), 3),
              eventsPerServerCpuSecond: cpu.server > 0 ? Math.round(events / cpu.server) : null,
              eventsPerRedisCpuSecond: cpu.redis > 0 ? Math.round(events / cpu.redis) : null,
            };
            return {
              description: server.description,
              figures,
              summary: `${figures.requestsPerSecond} requests/s, ${figures.eventsPerSecond} events/s, p50/p99 ${combined.latencyMs.p50}/${combined.latencyMs.p99} ms, non-2xx ${combined.non2xx}, errors ${combined.errors}`,
            };
          } finally {
            await server.stop();
          }
        });
      }
    }
  },
};
