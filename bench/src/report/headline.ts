// The headline figures against each peer, from the latest runs: deliveries per server CPU-second
// (paced and burst fan-out), server memory per idle connection, publish→receive p99 at equal
// offered load (the paced run, and the open-loop stepped runs at the highest rate every server
// reached) and the largest connection count held. Each peer's cell carries
// Tidings' advantage as a ratio (above 1: Tidings ahead).
import { type Run, figure, memoryPerConnection } from './results-set.js';

export const PEERS = ['tidings', 'nchan', 'socketio', 'soketi'] as const;
export const PEER_NAMES: Readonly<Record<string, string>> = { tidings: 'Tidings', nchan: 'Nchan', socketio: 'Socket.IO', soketi: 'soketi', floor: 'bare-write floor', mosquitto: 'Mosquitto' };

interface Row {
  readonly label: string;
  readonly values: ReadonlyMap<string, number>;
  readonly format: (v: number) => string;
  /** True when a larger value is better. */
  readonly higherIsBetter: boolean;
}

export const thousands = (n: number) => (Number.isNaN(n) ? '–' : n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${Math.round(n / 1e3)}k` : Math.round(n).toLocaleString('en-US'));
const kb = (bytes: number) => (Number.isNaN(bytes) ? '–' : `${(bytes / 1024).toFixed(1)} KB`);
const ms = (v: number) => (Number.isNaN(v) ? '–' : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`);

/** The largest subscriber count with a WebSocket fan-out run of Tidings and at least one peer in `mode`. */
function fanoutRuns(runs: readonly Run[], mode: string): { subscribers: number; byServer: Map<string, Run> } | null {
  const candidates = runs.filter((r) => r.scenario === 'fanout' && r.config['transport'] === 'ws' && r.config['mode'] === mode);
  const sizes = [...new Set(candidates.map((r) => r.config['subscribers'] as number))].sort((a, b) => b - a);
  for (const subscribers of sizes) {
    const byServer = new Map(candidates.filter((r) => r.config['subscribers'] === subscribers).map((r) => [r.server, r]));
    if (byServer.has('tidings') && byServer.size > 1) return { subscribers, byServer };
  }
  return null;
}

function idleRuns(runs: readonly Run[]): { connections: number; byServer: Map<string, Run> } | null {
  const candidates = runs.filter((r) => r.scenario === 'connections' && r.config['transport'] === 'ws' && figure(r, 'held') === r.config['connections']);
  const sizes = [...new Set(candidates.map((r) => r.config['connections'] as number))].sort((a, b) => b - a);
  for (const connections of sizes) {
    const byServer = new Map(candidates.filter((r) => r.config['connections'] === connections).map((r) => [r.server, r]));
    if (byServer.has('tidings') && byServer.size >= PEERS.length) return { connections, byServer };
  }
  for (const connections of sizes) {
    const byServer = new Map(candidates.filter((r) => r.config['connections'] === connections).map((r) => [r.server, r]));
    if (byServer.has('tidings') && byServer.size > 1) return { connections, byServer };
  }
  return null;
}

interface StepP99 {
  readonly offeredPerSecond: number;
  readonly latencyMs: { readonly p99: number };
}

/**
 * The stepped WebSocket runs of one invocation (the latest with Tidings and a peer, at the largest
 * size), compared at the highest rate every one of them ran.
 */
function steppedAtEqualRate(runs: readonly Run[]): { subscribers: number; rate: number; values: Map<string, number> } | null {
  const stepped = runs.filter((r) => r.scenario === 'fanout' && r.config['transport'] === 'ws' && r.config['mode'] === 'stepped' && Array.isArray(r.series));
  const groups = [...new Set(stepped.map((r) => `${r.file} ${String(r.config['subscribers'])}`))]
    .map((key) => stepped.filter((r) => `${r.file} ${String(r.config['subscribers'])}` === key))
    .sort((a, b) => (b[0]!.config['subscribers'] as number) - (a[0]!.config['subscribers'] as number) || b[0]!.when.localeCompare(a[0]!.when));
  for (const mine of groups) {
    const subscribers = mine[0]!.config['subscribers'] as number;
    if (!mine.some((r) => r.server === 'tidings') || mine.length < 2) continue;
    const rates = mine.map((r) => new Set((r.series as readonly StepP99[]).map((s) => s.offeredPerSecond)));
    const common = [...rates[0]!].filter((rate) => rates.every((set) => set.has(rate)));
    if (common.length === 0) continue;
    const rate = Math.max(...common);
    const values = new Map(mine.map((r) => [r.server, (r.series as readonly StepP99[]).find((s) => s.offeredPerSecond === rate)!.latencyMs.p99]));
    return { subscribers, rate, values };
  }
  return null;
}

function largestHeld(runs: readonly Run[]): Map<string, number> {
  const held = new Map<string, number>();
  for (const r of runs) {
    const n = r.scenario === 'connections' ? figure(r, 'held') : Number.NaN;
    if (Number.isFinite(n) && n > (held.get(r.server) ?? 0)) held.set(r.server, n);
  }
  return held;
}

function rows(runs: readonly Run[]): Row[] {
  const out: Row[] = [];
  const map = (byServer: Map<string, Run>, path: string) => new Map([...byServer].map(([server, run]) => [server, figure(run, path)]));
  for (const mode of ['paced', 'burst']) {
    const found = fanoutRuns(runs, mode);
    if (found === null) continue;
    out.push({ label: `deliveries per server CPU-second, ${mode} (WebSocket, ${thousands(found.subscribers)} subscribers)`, values: map(found.byServer, 'efficiency.deliveriesPerServerCpuSecond'), format: thousands, higherIsBetter: true });
  }
  const idle = idleRuns(runs);
  if (idle !== null) out.push({ label: `server memory per idle connection (WebSocket, ${thousands(idle.connections)})`, values: new Map([...idle.byServer].map(([server, run]) => [server, memoryPerConnection(run)])), format: kb, higherIsBetter: false });
  const paced = fanoutRuns(runs, 'paced');
  if (paced !== null) out.push({ label: `publish→receive p99 at equal offered load (paced, ${thousands(paced.subscribers)} subscribers)`, values: map(paced.byServer, 'latencyMs.p99'), format: ms, higherIsBetter: false });
  const stepped = steppedAtEqualRate(runs);
  if (stepped !== null) {
    out.push({ label: `publish→receive p99 at equal offered load (open loop, ${stepped.rate} events/s, ${thousands(stepped.subscribers)} subscribers)`, values: stepped.values, format: ms, higherIsBetter: false });
  }
  const held = largestHeld(runs);
  if (held.size > 0) out.push({ label: 'largest connection count held (connections scenario)', values: held, format: thousands, higherIsBetter: true });
  return out;
}

/** The headline table in Markdown: one row per figure, one column per server. */
export function headlineTable(runs: readonly Run[]): string {
  const lines = [`| figure | ${PEERS.map((p) => PEER_NAMES[p]).join(' | ')} |`, `|---|${PEERS.map(() => '---').join('|')}|`];
  for (const row of rows(runs)) {
    const tidings = row.values.get('tidings') ?? Number.NaN;
    const cells = PEERS.map((peer) => {
      const v = row.values.get(peer) ?? Number.NaN;
      if (peer === 'tidings' || Number.isNaN(v)) return row.format(v);
      const ratio = row.higherIsBetter ? tidings / v : v / tidings;
      return `${row.format(v)} (Tidings ${Number.isFinite(ratio) ? ratio.toFixed(2) : '–'}×)`;
    });
    lines.push(`| ${row.label} | ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
