// `npm start` is the README's first command: it must come up, and a supervisor or an IDE that
// stops it by signalling npm's own process must stop the whole cluster, not just npm.
import { fileURLToPath } from 'node:url';
import { connect } from 'node:net';
import { exitOf, freePort, spawnTracked, waitUntil } from '@tidings/testing';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const isListening = (url: string) => fetch(url).then(() => true, () => false);
const acceptsTcp = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve(true));
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.destroy());
  });

/** `npm start` with `args`, in a process group of its own; resolves with its output once the cluster is up. */
async function startNpm(args: readonly string[]): Promise<{ npm: ReturnType<typeof spawnTracked>; printed: () => string }> {
  const npm = spawnTracked('npm', ['start', '--', ...args], { cwd: ROOT, detached: true });
  const out: string[] = [];
  npm.stdout?.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  npm.stderr?.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  await waitUntil(() => out.join('').includes('cluster is up'), 'npm start to bring the cluster up', 90_000).catch((error: Error) => {
    throw new Error(`${error.message}; it printed:\n${out.join('')}`);
  });
  return { npm, printed: () => out.join('') };
}

describe('npm start', () => {
  it('runs the dev cluster, and SIGTERM to npm stops every edge', async () => {
    const port = await freePort();
    const { npm } = await startNpm(['--port', String(port), '--edges', '1', '--engine', 'memory']);
    expect(await isListening(`http://127.0.0.1:${port}/healthz`)).toBe(true);
    npm.kill('SIGTERM');
    await exitOf(npm);
    await waitUntil(async () => !(await isListening(`http://127.0.0.1:${port}/healthz`)), 'the edge to stop with npm');
  }, 120_000);

  // `timeout`, systemd and a terminal's Ctrl-C signal the whole process group: the dev command then
  // hears the signal twice (directly, and forwarded by npm) and must still stop its redis-server.
  it('stops its private redis-server too when the signal reaches the whole process group', async () => {
    const port = await freePort();
    const { npm, printed } = await startNpm(['--port', String(port), '--edges', '1', '--workers', '0', '--engine', 'redis']);
    const redisPort = Number(/private redis-server on redis:\/\/127\.0\.0\.1:(\d+)/.exec(printed())?.[1]);
    expect(await acceptsTcp(redisPort)).toBe(true);
    process.kill(-npm.pid!, 'SIGTERM');
    await exitOf(npm);
    await waitUntil(async () => !(await acceptsTcp(redisPort)), 'the private redis-server to stop with the cluster');
  }, 120_000);
});
