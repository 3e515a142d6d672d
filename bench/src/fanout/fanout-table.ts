// Markdown tables from fan-out results files: every run's headline figures, then Tidings' CPU per
// delivery as a ratio of the floor's and Nchan's measured in the same invocation.
import type { FanoutResult } from './run-fanout-scenario.js';

export interface ResultsFile {
  readonly when: string;
  readonly results: ReadonlyArray<FanoutResult | { readonly scenario: FanoutResult['scenario']; readonly error: string }>;
}

const thousands = (n: number | null | undefined) => (n === null || n === undefined || Number.isNaN(n) ? '–' : n >= 10_000 ? `${Math.round(n / 1000)}k` : n.toLocaleString('en-US'));
const ms = (n: number) => (Number.isNaN(n) || n === null ? '–' : n < 10 ? n.toFixed(1) : Math.round(n).toString());
const kb = (bytes: number | null) => (bytes === null || Number.isNaN(bytes) ? '–' : (bytes / 1024).toFixed(1));

function key(r: { scenario: FanoutResult['scenario'] }): string {
  return `${r.scenario.transport} ${r.scenario.subscribers} ${r.scenario.mode}`;
}

export function fanoutTable(files: readonly ResultsFile[]): string {
  const rows = [
    '| server | transport | subscribers | mode | deliveries per server CPU-s | same, Redis included | latency p50 / p99 ms | publish p50 / p99 ms | KB per idle connection | lost / dup / out of order | last delivery after last publish s | deliveries/s | server CPU user + sys s | generator CPU s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const ratios = ['| transport subscribers mode | Tidings ÷ floor (CPU per delivery) | Tidings ÷ Nchan (CPU per delivery) |', '|---|---|---|'];
  for (const file of files) {
    const byKey = new Map<string, Map<string, FanoutResult>>();
    for (const r of file.results) {
      const s = r.scenario;
      if ('error' in r) {
        rows.push(`| ${s.server} | ${s.transport} | ${thousands(s.subscribers)} | ${s.mode} | failed: ${r.error.replace(/\|/g, '/').slice(0, 80)} ||||||||||`);
        continue;
      }
      const f = r.figures;
      rows.push(
        `| ${s.server} | ${s.transport} | ${thousands(s.subscribers)} | ${s.mode} | ${thousands(f.efficiency.deliveriesPerServerCpuSecond)} | ${thousands(f.efficiency.deliveriesPerServerAndRedisCpuSecond)} | ` +
          `${ms(f.latencyMs.p50)} / ${ms(f.latencyMs.p99)} | ${ms(f.publish.answerMs.p50)} / ${ms(f.publish.answerMs.p99)} | ${kb(f.memory.serverBytesPerConnection)} | ` +
          `${f.delivery.lost}${f.delivery.drainEnd === 'complete' ? '' : ` (${f.delivery.drainEnd})`} / ${f.delivery.duplicates} / ${f.delivery.outOfOrder} | ` +
          `${f.delivery.drainSeconds} | ${thousands(f.delivery.perSecond)} | ${f.cpuSeconds.server.user} + ${f.cpuSeconds.server.system} | ${f.cpuSeconds.generator.total} |`,
      );
      const group = byKey.get(key(r)) ?? new Map<string, FanoutResult>();
      group.set(s.server, r);
      byKey.set(key(r), group);
    }
    for (const [k, group] of byKey) {
      const cost = (server: string) => group.get(server)?.figures.efficiency.serverMicrosPerDelivery;
      const ratio = (other: string) => {
        const t = cost('tidings');
        const o = cost(other);
        return t === undefined || o === undefined || !(o > 0) ? '–' : `${(t / o).toFixed(2)}×`;
      };
      if (group.has('tidings')) ratios.push(`| ${k} | ${ratio('floor')} | ${ratio('nchan')} |`);
    }
  }
  return `${rows.join('\n')}\n\n${ratios.join('\n')}\n`;
}
