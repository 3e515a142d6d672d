import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exitOf } from './spawn-tracked.js';

// The guarantee is about a whole process ending, so it runs in a child process of its own,
// which needs the built library (nx builds it before testing).
const BUILT = fileURLToPath(new URL('../dist/spawn-tracked.js', import.meta.url));

/** A node process that spawns a tracked `sleep`, makes a temp dir, prints both, then does `then`. */
function parent(then: string): ChildProcess {
  expect(existsSync(BUILT), `${BUILT} is missing: build first (npx tsc -p tsconfig.lib.json)`).toBe(true);
  const script = `
    import { spawnTracked, makeTempDir } from ${JSON.stringify(BUILT)};
    const sleeper = spawnTracked('sleep', ['300']);
    const dir = makeTempDir('tidings-reaper-test-');
    sleeper.once('spawn', () => { process.stdout.write(JSON.stringify({ pid: sleeper.pid, dir }) + '\\n'); ${then} });
  `;
  return spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
}

async function firstLine(child: ChildProcess): Promise<{ pid: number; dir: string }> {
  let text = '';
  for await (const chunk of child.stdout!) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return JSON.parse(text) as { pid: number; dir: string };
}

/** Running, not merely a zombie waiting for init to reap it (orphans are reaped by PID 1). */
const isAlive = (pid: number) => {
  const stat = `/proc/${pid}/stat`;
  if (existsSync('/proc/self/stat')) return existsSync(stat) && !/^\d+ \(.*\) Z/.test(readFileSync(stat, 'utf8'));
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
};

describe('spawnTracked', () => {
  it.each([
    ['exits normally', 'setTimeout(() => process.exit(0), 10);'],
    ['is ended with SIGTERM, as test runners end their workers', 'setInterval(() => {}, 1000);'],
  ])('kills what it spawned and removes its temp dirs when the process %s', async (_how, then) => {
    const child = parent(then);
    const { pid, dir } = await firstLine(child);
    expect(isAlive(pid)).toBe(true);
    expect(existsSync(dir)).toBe(true);
    if (then.startsWith('setInterval')) child.kill('SIGTERM');
    await exitOf(child);
    await expect.poll(() => isAlive(pid), { timeout: 10_000 }).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it('lets the process still end by the signal it got', async () => {
    const child = parent('setInterval(() => {}, 1000);');
    await firstLine(child);
    child.kill('SIGTERM');
    await exitOf(child);
    expect(child.signalCode).toBe('SIGTERM');
  });
});
