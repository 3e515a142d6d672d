// `npm start` is the README's first command: it must come up, and a supervisor or an IDE that
// stops it by signalling npm's own process must stop the whole cluster, not just npm.
import { fileURLToPath } from 'node:url';
import { exitOf, freePort, spawnTracked, waitUntil } from '@tidings/testing';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const isListening = (url: string) => fetch(url).then(() => true, () => false);

describe('npm start', () => {
  it('runs the dev cluster, and SIGTERM to npm stops every edge', async () => {
    const port = await freePort();
    const npm = spawnTracked('npm', ['start', '--', '--port', String(port), '--edges', '1', '--engine', 'memory'], { cwd: ROOT });
    const out: string[] = [];
    npm.stdout?.on('data', (chunk: Buffer) => out.push(chunk.toString()));
    npm.stderr?.on('data', (chunk: Buffer) => out.push(chunk.toString()));
    await waitUntil(() => out.join('').includes('cluster is up'), 'npm start to bring the cluster up', 90_000).catch((error: Error) => {
      throw new Error(`${error.message}; it printed:\n${out.join('')}`);
    });
    expect(await isListening(`http://127.0.0.1:${port}/healthz`)).toBe(true);
    npm.kill('SIGTERM');
    await exitOf(npm);
    await waitUntil(async () => !(await isListening(`http://127.0.0.1:${port}/healthz`)), 'the edge to stop with npm');
  }, 120_000);
});
