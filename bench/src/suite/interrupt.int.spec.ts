// Stopping a run, for real: `npm run bench` is started as its own process, then interrupted with
// SIGINT (it must exit with 130 having stopped every process it started and kept the interrupted
// run in its results file) or killed with SIGKILL (its watchdog must then kill every process the
// run started). An edge that refuses to start must fail the run with the edge's own message.
// The processes of a run are found by an environment marker each of them inherits.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitOf, waitUntil } from '@tidings/testing';
import { afterAll, describe, expect, it } from 'vitest';

const RUN_BENCH = fileURLToPath(new URL('../../dist/suite/run-bench.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tidings-bench-interrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** PIDs of live processes whose environment carries `marker`. */
function marked(marker: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(marker);
      } catch {
        return false; // gone meanwhile, or not ours to read
      }
    })
    .map(Number);
}

interface BenchChild {
  readonly child: ChildProcess;
  readonly marker: string;
  readonly out: string;
  output(): string;
}

/** `run-bench.js <args> --out <file>` with a fresh marker (not a TIDINGS_ variable: the edge refuses settings it does not know). */
function startBench(args: readonly string[], env: Record<string, string> = {}): BenchChild {
  const value = randomUUID();
  const out = join(dir, `${value}.json`);
  const child = spawn(process.execPath, [RUN_BENCH, ...args, '--out', out], {
    env: { ...process.env, ...env, BENCH_INTERRUPT_MARK: value },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, marker: `BENCH_INTERRUPT_MARK=${value}`, out, output: () => output };
}

async function untilIdle(bench: BenchChild): Promise<void> {
  await waitUntil(() => bench.output().includes('idle for 120 s'), 'the connections to be idle', 60_000).catch((error: unknown) => {
    throw new Error(`${String(error)}; the bench said: ${bench.output()}`);
  });
}

function runErrors(out: string): Array<string | undefined> {
  return (JSON.parse(readFileSync(out, 'utf8')) as { results: Array<{ error?: string }> }).results.map((run) => run.error);
}

const IDLE_RUN = ['connections', '--connections', '1000', '--idle-seconds', '120'];

describe('npm run bench, stopped', () => {
  it('stops every process it started and keeps the interrupted run on Ctrl-C', async () => {
    const bench = startBench(IDLE_RUN);
    await untilIdle(bench);
    expect(marked(bench.marker).length).toBeGreaterThanOrEqual(4); // the suite, its watchdog, an edge, a generator (redis-server overwrites its environment)

    bench.child.kill('SIGINT');
    expect(await exitOf(bench.child)).toBe(130);
    await waitUntil(() => marked(bench.marker).length === 0, 'the watchdog to go too', 10_000);
    const errors = runErrors(bench.out);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^interrupted/);
  }, 90_000);

  it('leaves no process it started behind when it is killed with SIGKILL', async () => {
    const bench = startBench(IDLE_RUN);
    await untilIdle(bench);
    const started = [...new Set([...descendants(bench.child.pid!), ...marked(bench.marker)])].filter((pid) => pid !== bench.child.pid);
    const commands = started.map(commandOf).join('\n');
    for (const part of ['watchdog-process.js', 'redis-server', 'edge/dist/main.js', 'generator-process.js']) expect(commands).toContain(part);

    bench.child.kill('SIGKILL');
    await exitOf(bench.child);
    // Bounded wait for the watchdog's sweep; what is still running then is what it missed.
    await waitUntil(() => started.every((pid) => !existsProcess(pid)), 'every process of the run to end', 15_000).catch(() => undefined);
    expect(started.filter(existsProcess)).toEqual([]);
    expect(marked(bench.marker)).toEqual([]);
  }, 90_000);

  it("fails at once with the edge's own message when an edge refuses to start", async () => {
    // 20,000 subscribers need two edges; both refuse the unknown setting.
    const bench = startBench(['fanout', '--subscribers', '20000', '--mode', 'paced', '--seconds', '1'], { TIDINGS_BENCH_NO_SUCH_SETTING: '1' });
    expect(await exitOf(bench.child)).toBe(1);
    expect(bench.output()).toContain('TIDINGS_BENCH_NO_SUCH_SETTING: unknown environment variable');
    const errors = runErrors(bench.out);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('TIDINGS_BENCH_NO_SUCH_SETTING: unknown environment variable');
    await waitUntil(() => marked(bench.marker).length === 0, 'every process of the run to end', 10_000);
  }, 90_000);
});

/** Every descendant of `root` now, from the parent PIDs in /proc. */
function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parentOf.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, parent] of parentOf) if (!found.has(pid) && found.has(parent)) grew = found.add(pid) !== undefined;
  }
  found.delete(root);
  return [...found];
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function existsProcess(pid: number): boolean {
  try {
    // A zombie (ended, not yet reaped by its new parent) is gone for every purpose here.
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
