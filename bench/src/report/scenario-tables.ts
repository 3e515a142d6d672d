// The per-scenario tables of bench/RESULTS.md: one row per latest run, the figures a reader of
// that scenario looks for, loss first wherever events flow.
import { PEER_NAMES, thousands } from './headline.js';
import { type Run, figure, memoryPerConnection } from './results-set.js';

const kb = (bytes: number) => (Number.isNaN(bytes) ? '–' : (bytes / 1024).toFixed(1));
const num = (v: number, digits = 1) => (Number.isNaN(v) ? '–' : v < 10 ? v.toFixed(digits) : Math.round(v).toLocaleString('en-US'));
const name = (server: string) => PEER_NAMES[server] ?? server;
/**
 * Lost / duplicated / out of order; a drain that did not complete says how it ended (cut off at the
 * bound, or stalled). Out of order counts what the server's own storage order does not explain (open
 * loop: concurrent publishes are stored in arrival order); "storage order unknown" where its
 * answers did not say.
 */
function loss(r: Run): string {
  const delivery = (r.figures as { delivery?: { drainEnd?: string; outOfOrderByStorage?: number | null } }).delivery;
  const end = delivery?.drainEnd;
  const byStorage = delivery?.outOfOrderByStorage;
  const outOfOrder = figure(r, 'delivery.outOfOrder') - (byStorage ?? 0);
  const order = byStorage === null && outOfOrder > 0 ? `${thousands(outOfOrder)} (storage order unknown)` : thousands(outOfOrder);
  return `${thousands(figure(r, 'delivery.lost'))}${end === undefined || end === 'complete' ? '' : ` (${end})`} / ${figure(r, 'delivery.duplicates')} / ${order}`;
}

interface Column {
  readonly head: string;
  readonly cell: (run: Run) => string;
}

function table(runs: readonly Run[], columns: readonly Column[]): string {
  if (runs.length === 0) return '_No runs recorded yet._\n';
  return [`| ${columns.map((c) => c.head).join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...runs.map((r) => `| ${columns.map((c) => c.cell(r)).join(' | ')} |`)].join('\n') + '\n';
}

const config = (key: string, head = key): Column => ({ head, cell: (r) => String(r.config[key] ?? '–') });
const server: Column = { head: 'server', cell: (r) => name(r.server) };

const FANOUT: readonly Column[] = [
  { head: 'deliveries per server CPU-s', cell: (r) => thousands(figure(r, 'efficiency.deliveriesPerServerCpuSecond')) },
  { head: 'with Redis', cell: (r) => thousands(figure(r, 'efficiency.deliveriesPerServerAndRedisCpuSecond')) },
  { head: 'deliveries/s', cell: (r) => thousands(figure(r, 'delivery.perSecond')) },
  { head: 'latency p50 / p99 / max ms', cell: (r) => `${num(figure(r, 'latencyMs.p50'))} / ${num(figure(r, 'latencyMs.p99'))} / ${num(figure(r, 'latencyMs.max'))}` },
  { head: 'publish answer p99 ms', cell: (r) => num(figure(r, 'publish.answerMs.p99')) },
  { head: 'last delivery after last publish s', cell: (r) => num(figure(r, 'delivery.drainSeconds')) },
  { head: 'lost / dup / out of order', cell: loss },
  { head: 'KB per idle connection', cell: (r) => kb(memoryPerConnection(r)) },
];

export const SCENARIO_TABLES: Readonly<Record<string, (runs: readonly Run[]) => string>> = {
  connections: (runs) =>
    table(runs, [
      server,
      config('transport'),
      config('connections'),
      config('serverProcesses', 'server processes'),
      { head: 'held', cell: (r) => thousands(figure(r, 'held')) },
      { head: 'connects/s', cell: (r) => thousands(figure(r, 'connections.perSecond')) },
      { head: 'server KB per connection', cell: (r) => kb(memoryPerConnection(r)) },
      { head: 'second half', cell: (r) => kb(figure(r, 'memory.serverBytesPerConnectionMarginal')) },
      { head: 'Redis KB per connection', cell: (r) => kb(figure(r, 'memory.redisBytesPerConnection')) },
      { head: 'idle CPU, cores (server / Redis)', cell: (r) => `${num(figure(r, 'idleCpu.serverCoresBusy'), 3)} / ${num(figure(r, 'idleCpu.redisCoresBusy'), 3)}` },
    ]),
  fanout: (runs) => table(runs, [server, config('transport'), config('subscribers'), config('mode'), ...FANOUT]),
  'many-channels': (runs) =>
    table(runs, [config('transport'), config('channels'), config('perChannel', 'per channel'), { head: 'events published', cell: (r) => thousands(figure(r, 'eventsPublished')) }, ...FANOUT]),
  'mqtt-fanout': (runs) => table(runs, [server, config('subscribers'), config('mode'), ...FANOUT]),
  'cross-node': (runs) => table(runs, [config('transport'), config('subscribers'), config('mode'), config('edges'), ...FANOUT]),
  receipts: (runs) =>
    table(runs, [
      config('subscribers', 'devices'),
      { head: 'receipts confirmed / expected', cell: (r) => `${thousands(figure(r, 'receipts.confirmed'))} / ${thousands(figure(r, 'receipts.expected'))}` },
      { head: 'receipts/s', cell: (r) => thousands(figure(r, 'receipts.perSecond')) },
      { head: 'Redis CPU µs per receipt', cell: (r) => num(figure(r, 'receipts.redisCpuMicrosPerReceipt')) },
      { head: 'Redis PSS B per receipt', cell: (r) => num(figure(r, 'receipts.redisPssBytesPerReceipt')) },
      { head: 'edge CPU µs per receipt', cell: (r) => num(figure(r, 'receipts.edgeCpuMicrosPerReceipt')) },
      { head: 'lost / dup / out of order', cell: loss },
    ]),
  publish: (runs) =>
    table(runs, [
      config('layout'),
      config('mode'),
      config('batchSize', 'events per request'),
      { head: 'requests/s', cell: (r) => thousands(figure(r, 'requestsPerSecond')) },
      { head: 'events/s', cell: (r) => thousands(figure(r, 'eventsPerSecond')) },
      { head: 'answer p50 / p99 ms', cell: (r) => `${num(figure(r, 'latencyMs.p50'))} / ${num(figure(r, 'latencyMs.p99'))}` },
      { head: 'events per edge CPU-s', cell: (r) => thousands(figure(r, 'eventsPerServerCpuSecond')) },
      { head: 'CPU s: edges / Redis / autocannon', cell: (r) => `${num(figure(r, 'cpuSeconds.server'))} / ${num(figure(r, 'cpuSeconds.redis'))} / ${num(figure(r, 'cpuSeconds.autocannon'))}` },
      { head: 'non-2xx / errors', cell: (r) => `${figure(r, 'non2xx')} / ${figure(r, 'errors')}` },
    ]),
  groups: (runs) =>
    table(runs, [
      config('consumers'),
      config('events'),
      config('count', 'per claim'),
      { head: 'claimed+acked/s', cell: (r) => thousands(figure(r, 'claimedAckedPerSecond')) },
      { head: 'claim p50 / p99 ms', cell: (r) => `${num(figure(r, 'claimMs.p50'))} / ${num(figure(r, 'claimMs.p99'))}` },
      { head: 'ack p99 ms', cell: (r) => num(figure(r, 'ackMs.p99')) },
      { head: 'repeated / pending after', cell: (r) => `${figure(r, 'repeated')} / ${figure(r, 'groupAfter.pending')}` },
    ]),
};
