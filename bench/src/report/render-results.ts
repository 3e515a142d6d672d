// bench/RESULTS.md from the runs of bench/results: where and how it was measured, the headline
// against each peer, the plots, one table per scenario with the command that produced it, and the
// largest connection counts with what stopped the next size.
import { PEER_NAMES, headlineTable, thousands } from './headline.js';
import type { Plot } from './plots.js';
import { type Run, figure, memoryPerConnection } from './results-set.js';
import { SCENARIO_TABLES } from './scenario-tables.js';

/** The command lines that measured the runs shown (the label and output file left out). */
function commands(runs: readonly Run[]): string {
  const lines = new Set(
    runs.map((r) => {
      const args: string[] = [];
      for (let i = 0; i < r.argv.length; i++) {
        if (r.argv[i] === '--label' || r.argv[i] === '--out') i++;
        else args.push(r.argv[i]!);
      }
      return `npm run bench -- ${args.join(' ')}`;
    }),
  );
  return lines.size === 0 ? '' : `${[...lines].map((line) => `\`${line}\``).join('  \n')}\n\n`;
}

/** Fan-out notes: who is missing from SSE rows and why. */
const NOTES: Readonly<Record<string, string>> = {
  fanout:
    'Socket.IO and soketi speak no SSE (WebSocket only), so SSE rows compare Tidings with Nchan; long-poll (`poll`) rows are Tidings only (the peers\' long-poll protocols differ). Stepped rows are open loop (ADR 18); their steps are in the next section.\n\n',
  connections: 'Long-poll (`poll`) rows are Tidings only.\n\n',
};

interface Step {
  readonly offeredPerSecond: number;
  readonly achievedPerSecond: number;
  readonly saturated?: boolean;
  readonly latencyMs: { readonly p99: number };
  readonly answerP99Ms: number;
}

/** Each stepped run's steps, and the highest offered rate whose p99 stayed within the bound. */
function steps(runs: readonly Run[]): string {
  const stepped = runs.filter((r) => r.scenario === 'fanout' && r.config['mode'] === 'stepped' && Array.isArray(r.series));
  if (stepped.length === 0) return '_No stepped runs recorded yet._\n';
  const lines = ['| server | transport | subscribers | steps: offered → achieved events/s, p99 / answer p99 ms | highest rate with p99 within the bound |', '|---|---|---|---|---|'];
  for (const r of stepped) {
    const series = r.series as readonly Step[];
    const bound = boundOf(r);
    const within = series.filter((s) => s.latencyMs.p99 <= bound && !s.saturated && s.achievedPerSecond >= 0.9 * s.offeredPerSecond);
    const cells = series.map((s) => `${s.offeredPerSecond} → ${s.achievedPerSecond}: ${Math.round(s.latencyMs.p99)} / ${Math.round(s.answerP99Ms)}${s.saturated ? ' (saturated)' : ''}`);
    const best = within.at(-1);
    const highest = best === undefined ? `none (bound ${bound} ms)` : `${best.offeredPerSecond}/s = ${thousands(best.offeredPerSecond * (r.config['subscribers'] as number))} deliveries/s (bound ${bound} ms)`;
    lines.push(`| ${PEER_NAMES[r.server] ?? r.server} | ${String(r.config['transport'])} | ${thousands(r.config['subscribers'] as number)} | ${cells.join('; ')} | ${highest} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** The run's --degraded-p99-ms (1000 when not given). */
function boundOf(r: Run): number {
  const at = r.argv.indexOf('--degraded-p99-ms');
  return at >= 0 ? Number(r.argv[at + 1]) : 1000;
}

/** " (0.81 KB for the second half)" where the run read memory halfway too. */
function secondHalf(run: Run): string {
  const bytes = figure(run, 'memory.serverBytesPerConnectionMarginal');
  return Number.isFinite(bytes) ? ` (${(bytes / 1024).toFixed(2)} KB for the second half)` : '';
}

/** The issue's targets for this machine, met or not, from the runs there are. */
function targets(runs: readonly Run[]): string {
  const tidings = runs.filter((r) => r.server === 'tidings');
  const large = tidings
    .filter((r) => r.scenario === 'connections' && (r.config['connections'] as number) >= 100_000 && r.config['transport'] === 'ws')
    .sort((a, b) => (a.config['connections'] as number) - (b.config['connections'] as number));
  const pss = Math.max(...large.map((r) => memoryPerConnection(r)).filter((v) => !Number.isNaN(v)));
  const pssText = large.map((r) => `${Number.isNaN(memoryPerConnection(r)) ? 'not measurable' : `${(memoryPerConnection(r) / 1024).toFixed(2)} KB${secondHalf(r)}`} at ${thousands(r.config['connections'] as number)}`).join(', ');
  const held = Math.max(0, ...tidings.filter((r) => r.scenario === 'connections').map((r) => figure(r, 'held')).filter(Number.isFinite));
  const fan100k = tidings.filter((r) => r.scenario === 'fanout' && r.config['subscribers'] === 100_000 && r.config['mode'] === 'paced');
  const p99 = Math.min(...fan100k.map((r) => figure(r, 'latencyMs.p99')));
  const verdict = (ok: boolean, known: boolean) => (!known ? 'not measured' : ok ? 'met' : 'not met');
  return [
    `- Server memory per idle connection ≤ 2 KB from 100k on (WebSocket): ${pssText || '–'}, ${verdict(pss <= 2048, Number.isFinite(pss))}.`,
    `- 500k idle connections held: ${thousands(held)} held at most, ${verdict(held >= 500_000, held > 0)}.`,
    `- One publish reaching 100k subscribers with p99 < 600 ms (paced, one event a second): ${Number.isFinite(p99) ? `p99 ${Math.round(p99)} ms` : '–'}, ${verdict(p99 < 600, Number.isFinite(p99))}.`,
  ].join('\n');
}

function machineLine(runs: readonly Run[]): string {
  const last = runs.at(-1);
  if (last === undefined) return 'No runs yet.';
  const m = last.machine;
  const days = [...new Set(runs.map((r) => r.when.slice(0, 10)))].join(', ');
  const commits = [...new Set(runs.map((r) => r.machine.commit))].join(', ');
  return `Measured on ${days}: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}, ${m.redis.replace(/ sha=.*$/, '')}; Tidings at ${commits}.`;
}

/** Per server: the largest count held, and every larger attempt with what stopped it. */
function limits(runs: readonly Run[], failed: readonly Run[]): string {
  const lines: string[] = [];
  for (const server of [...new Set(runs.filter((r) => r.scenario === 'connections').map((r) => r.server))]) {
    const mine = runs.filter((r) => r.scenario === 'connections' && r.server === server);
    const best = Math.max(...mine.map((r) => figure(r, 'held')));
    const short = mine.filter((r) => figure(r, 'held') < (r.config['connections'] as number));
    // A failed size that a later run held is history, not a limit.
    const heldLater = (f: Run) => mine.some((r) => r.config['connections'] === f.config['connections'] && figure(r, 'held') === f.config['connections'] && r.when > f.when);
    const broken = failed.filter((r) => r.scenario === 'connections' && r.server === server && !heldLater(r));
    const why = [
      ...short.map((r) => `${thousands(r.config['connections'] as number)} requested, ${thousands(figure(r, 'held'))} held (${JSON.stringify((r.figures as { connections?: { failures?: unknown } }).connections?.failures ?? {})})`),
      ...broken.map((r) => `${thousands(r.config['connections'] as number)} failed: ${(r.error ?? '').replace(/\s+/g, ' ').replace(/[\s:;,]+$/, '')}`),
    ];
    lines.push(`- ${PEER_NAMES[server] ?? server}: ${thousands(best)} held${why.length > 0 ? `; ${why.join('; ')}` : ''}.`);
  }
  return lines.join('\n');
}

export function renderResults(runs: readonly Run[], failed: readonly Run[], plots: readonly Plot[]): string {
  const scenarios = Object.keys(SCENARIO_TABLES);
  return `# Bench results

Generated by \`npm run bench:report\` from [results/](results/) (the latest run of each scenario,
server and configuration); do not edit by hand. How each figure is measured: [README.md](README.md).

${machineLine(runs)} Every server, Redis, the publisher and the load generator share the same
two cores, loopback only, so per-second rates are the box's and the per CPU-second figures are the
comparison. Peers run in the same invocation with the same generator and the same 64-byte events.

## Headline

${headlineTable(runs)}
Above 1, Tidings is ahead by that factor (more deliveries per CPU-second or connections; less memory
or latency). Publish answer latency is reported per run but is no headline: Nchan and the Socket.IO
node answer before they deliver.

## Targets on this machine

${targets(runs)}

## Largest connection counts

${limits(runs, failed)}

A server that held every connection of its largest size was not pushed further in these runs (the
size list of the command is the bound); one that did not says why above: "not ready within
120000 ms" is the connect phase's bound, so the count is what it accepted in two minutes. A process
may hold at most 20,000 open files here, so every server runs one process per 15k connections
(Nchan: workers) and so does the load generator; the 24 GiB of memory are shared by all of them.
Memory per connection is the growth of what the server processes hold themselves (anonymous and
shared memory, not program files), from before the first connect to 2 s after the last, divided by
the connections; "second half" divides the growth over the second half of the connections by
them, which leaves out what each process pays once (V8's young generation coming into use,
compiled code). Runs before 2026-11-27 quoted whole PSS, which also moved with the share of the
program's pages other processes (the load generators) took. Memory per connection is not quoted
("–") for a run in which a server process's memory shrank (by over 1 MiB) while it took
connections: its start-up heap was still being collected, and the growth is noise.

## Where p99 degrades (stepped, open loop)

Each step publishes on a schedule fixed in advance (the answers do not slow it), events stamped
with their due time; stepping stops after the first step past the p99 bound, under 90% of the
offered rate, or saturated (over 10,000 publishes unanswered).

${steps(runs)}
## Plots

${plots.map((p) => `![${p.caption}](${p.file})\n\n_${p.caption}._`).join('\n\n')}

${scenarios
  .map((scenario) => {
    const mine = runs.filter((r) => r.scenario === scenario);
    return `## ${scenario}\n\n${commands(mine)}${NOTES[scenario] ?? ''}${SCENARIO_TABLES[scenario]!(mine)}`;
  })
  .join('\n')}`;
}
