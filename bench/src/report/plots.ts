// The plots of bench/RESULTS.md, each an SVG file beside it: latency percentiles against offered
// load (stepped fan-out), memory per connection against connections, deliveries per server
// CPU-second per server, and publish throughput per edge layout.
import { PEERS, PEER_NAMES, thousands } from './headline.js';
import { type Run, figure, memoryPerConnection } from './results-set.js';
import { barChart, lineChart } from './svg-chart.js';

export interface Plot {
  readonly file: string;
  readonly caption: string;
  readonly svg: string;
}

interface StepPoint {
  readonly offeredPerSecond: number;
  readonly latencyMs: { readonly p99: number };
}

function latencyVsLoad(runs: readonly Run[]): Plot {
  const stepped = runs.filter((r) => r.scenario === 'fanout' && r.config['mode'] === 'stepped' && Array.isArray(r.series));
  const sizes = [...new Set(stepped.map((r) => `${r.config['transport']}, ${thousands(r.config['subscribers'] as number)} subscribers`))];
  const series = stepped.map((r) => {
    const steps = r.series as readonly StepPoint[];
    // A server stepped twice (other rates) is told apart by when it ran.
    const twice = stepped.filter((other) => other.server === r.server).length > 1;
    const name = `${PEER_NAMES[r.server] ?? r.server} p99${sizes.length > 1 ? ` (${r.config['transport']} ${thousands(r.config['subscribers'] as number)})` : ''}${twice ? ` (${r.when.slice(11, 16)} UTC)` : ''}`;
    return { name, points: steps.map((s) => [s.offeredPerSecond * (r.config['subscribers'] as number), s.latencyMs.p99] as const) };
  });
  return {
    file: 'plots/latency-vs-load.svg',
    caption: 'Publish→receive p99 against offered load (stepped open-loop fan-out; events stamped with their due time)',
    svg: lineChart({ title: `Latency vs offered load${sizes.length === 1 ? ` (${sizes[0]})` : ''}`, xLabel: 'offered deliveries per second (events/s × subscribers)', yLabel: 'p99 latency ms', series, logX: true, logY: true }),
  };
}

function memoryVsConnections(runs: readonly Run[]): Plot {
  const series = PEERS.map((server) => ({
    name: PEER_NAMES[server]!,
    points: runs
      .filter((r) => r.scenario === 'connections' && r.server === server && r.config['transport'] === 'ws')
      .map((r) => [r.config['connections'] as number, memoryPerConnection(r) / 1024] as const)
      .filter(([, kb]) => !Number.isNaN(kb))
      .sort((a, b) => a[0] - b[0]),
  })).filter((s) => s.points.length > 0);
  return {
    file: 'plots/memory-per-connection.svg',
    caption: 'Server memory growth per idle WebSocket connection against connections held',
    svg: lineChart({ title: 'Memory per idle connection', xLabel: 'idle connections', yLabel: 'KB per connection', series, logX: true }),
  };
}

function deliveriesPerCpu(runs: readonly Run[]): Plot {
  const fanout = runs.filter((r) => r.scenario === 'fanout' && r.config['transport'] === 'ws' && r.config['mode'] !== 'stepped');
  const sizes = [...new Set(fanout.map((r) => r.config['subscribers'] as number))].sort((a, b) => a - b);
  const groups = sizes.flatMap((n) => ['paced', 'burst'].map((mode) => ({ n, mode })));
  const present = groups.filter((g) => fanout.some((r) => r.config['subscribers'] === g.n && r.config['mode'] === g.mode));
  const series = PEERS.map((server) => ({
    name: PEER_NAMES[server]!,
    values: present.map((g) => figure(fanout.find((r) => r.server === server && r.config['subscribers'] === g.n && r.config['mode'] === g.mode), 'efficiency.deliveriesPerServerCpuSecond')),
  }));
  return {
    file: 'plots/deliveries-per-cpu.svg',
    caption: 'Deliveries per server CPU-second, WebSocket fan-out, per server',
    svg: barChart({ title: 'Deliveries per server CPU-second (WebSocket)', yLabel: 'deliveries per CPU-second', groups: present.map((g) => `${g.mode} ${g.n / 1000}k`), series }),
  };
}

function publishThroughput(runs: readonly Run[]): Plot {
  const publish = runs.filter((r) => r.scenario === 'publish');
  const layouts = [...new Set(publish.map((r) => r.config['layout'] as string))];
  const series = ['single', 'batch'].map((mode) => ({
    name: mode,
    values: layouts.map((layout) => figure(publish.find((r) => r.config['layout'] === layout && r.config['mode'] === mode), 'eventsPerSecond')),
  }));
  return {
    file: 'plots/publish.svg',
    caption: 'Events published per second over HTTP (autocannon), per edge layout',
    svg: barChart({ title: 'HTTP publish throughput', yLabel: 'events per second', groups: layouts, series }),
  };
}

export function plots(runs: readonly Run[]): Plot[] {
  return [latencyVsLoad(runs), memoryVsConnections(runs), deliveriesPerCpu(runs), publishThroughput(runs)];
}
