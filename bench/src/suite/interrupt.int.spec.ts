// Ctrl-C, for real: `npm run bench -- connections` is started as its own process, interrupted with
// SIGINT while it holds its connections, and must then exit with 130 having stopped every process
// it started (found by an environment marker each of them inherits) and kept the interrupted run
// in its results file.
import { spawn } from 'node:child_process';
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
        return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(marker);
      } catch {
        return false; // gone meanwhile, or not ours to read
      }
    })
    .map(Number);
}

describe('npm run bench, interrupted', () => {
  it('stops every process it started and keeps the interrupted run on Ctrl-C', async () => {
    const marker = `BENCH_INTERRUPT_MARK=${randomUUID()}`;
    const out = join(dir, 'connections.json');
    const child = spawn(process.execPath, [RUN_BENCH, 'connections', '--connections', '1000', '--idle-seconds', '120', '--out', out], {
      // Not a TIDINGS_ variable: the edge refuses settings it does not know.
      env: { ...process.env, BENCH_INTERRUPT_MARK: marker.split('=')[1]! },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitUntil(() => output.includes('idle for 120 s'), 'the connections to be idle', 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}; the bench said: ${output}`);
    });
    expect(marked(marker).length).toBeGreaterThanOrEqual(3); // the suite and what it started (redis-server, edge, generator)

    child.kill('SIGINT');
    expect(await exitOf(child)).toBe(130);
    expect(marked(marker)).toEqual([]);
    const file = JSON.parse(readFileSync(out, 'utf8')) as { results: Array<{ error?: string }> };
    expect(file.results).toHaveLength(1);
    expect(file.results[0]!.error).toMatch(/^interrupted/);
  }, 90_000);
});
