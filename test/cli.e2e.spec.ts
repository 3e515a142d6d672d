import { type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { exitOf, freePort, makeTempDir, SseClient, spawnTracked, stopProcess, waitUntil } from '@tidings/testing';
import { describe, expect, it } from 'vitest';

const TIDINGS = fileURLToPath(new URL('../services/cli/bin/tidings.js', import.meta.url));

/** Runs `tidings …`, collecting its output. */
function tidings(args: string[], env: Record<string, string> = {}): { child: ChildProcess; out: string[] } {
  const child = spawnTracked(process.execPath, [TIDINGS, ...args], { env: { ...process.env, ...env } });
  const out: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  return { child, out };
}

const isListening = (url: string) => fetch(url).then(() => true, () => false);

/** A port P such that P and P+1 are both free now (tidings dev puts its edges on consecutive ports). */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await freePort();
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port + 1, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free && port < 65535) return port;
  }
}

/** Whether anything accepts TCP connections on the port (Redis answers no HTTP). */
const isPortOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

describe('the tidings command', () => {
  it('tidings dev runs a local cluster (own Redis, two edges) that publish/subscribe work across, and Ctrl-C stops all of it', async () => {
    const port = await freePortPair();
    const dev = tidings(['dev', '--port', String(port)], { REDIS_URL: '' });
    await waitUntil(() => dev.out.join('').includes('cluster is up'), 'tidings dev to come up', 30_000).catch((error: Error) => {
      throw new Error(`${error.message}; it printed:\n${dev.out.join('')}`);
    });
    const first = `http://127.0.0.1:${port}`;
    const second = `http://127.0.0.1:${port + 1}`;
    const redisUrl = /redis:\/\/127\.0\.0\.1:\d+/.exec(dev.out.join(''))?.[0];
    expect(redisUrl).toBeDefined();
    expect(await isPortOpen(Number(new URL(redisUrl!).port))).toBe(true);

    const sse = await SseClient.connect(`${second}/v1/sse?channel=demo`);
    const sub = tidings(['subscribe', 'demo', '--url', second]);
    await waitUntil(() => sub.out.join('').includes('[open]'), 'tidings subscribe to connect');
    const pub = tidings(['publish', 'demo', '{"hello":"cli"}', '--url', first]);
    expect(await exitOf(pub.child)).toBe(0);
    expect(JSON.parse(pub.out.join(''))).toMatchObject({ channel: 'demo', id: expect.stringMatching(/^\d+-\d+$/) });

    expect(JSON.parse((await sse.nextEvent()).data)).toMatchObject({ channel: 'demo', data: { hello: 'cli' } });
    await waitUntil(() => sub.out.join('').includes('"hello":"cli"'), 'tidings subscribe to print the event');
    sse.close();
    await stopProcess(sub.child);

    dev.child.kill('SIGINT');
    expect(await exitOf(dev.child)).toBe(0);
    expect(await isListening(`${first}/healthz`)).toBe(false);
    expect(await isListening(`${second}/healthz`)).toBe(false);
    const redisPort = Number(new URL(redisUrl!).port);
    await waitUntil(async () => !(await isPortOpen(redisPort)), 'the embedded redis-server to stop');
  }, 60_000);

  it('tidings dev without redis-server runs the in-process engine, says so, and still fans out across its edges', async () => {
    const port = await freePortPair();
    // A PATH with nothing on it: the automatic choice has to find no redis-server by itself.
    const emptyPath = makeTempDir('tidings-no-redis-');
    const dev = tidings(['dev', '--port', String(port)], { PATH: emptyPath });
    await waitUntil(() => dev.out.join('').includes('cluster is up'), 'tidings dev to come up', 30_000).catch((error: Error) => {
      throw new Error(`${error.message}; it printed:\n${dev.out.join('')}`);
    });
    expect(dev.out.join('')).toMatch(/No redis-server on PATH: running the in-process engine/);
    const sse = await SseClient.connect(`http://127.0.0.1:${port + 1}/v1/sse?channel=mem`);
    const pub = tidings(['publish', 'mem', 'in memory', '--url', `http://127.0.0.1:${port}`]);
    expect(await exitOf(pub.child)).toBe(0);
    expect(JSON.parse((await sse.nextEvent()).data)).toMatchObject({ channel: 'mem', data: 'in memory' });
    sse.close();
    dev.child.kill('SIGINT');
    expect(await exitOf(dev.child)).toBe(0);
    expect(await isPortOpen(port)).toBe(false);
  }, 60_000);

  it('tidings dev --engine memory says it was chosen, not that redis-server is missing', async () => {
    const port = await freePortPair();
    const dev = tidings(['dev', '--port', String(port), '--engine', 'memory']);
    await waitUntil(() => dev.out.join('').includes('cluster is up'), 'tidings dev to come up', 30_000).catch((error: Error) => {
      throw new Error(`${error.message}; it printed:\n${dev.out.join('')}`);
    });
    expect(dev.out.join('')).toMatch(/Chosen with --engine memory: running the in-process engine/);
    expect(dev.out.join('')).not.toMatch(/No redis-server/);
    dev.child.kill('SIGINT');
    expect(await exitOf(dev.child)).toBe(0);
  }, 60_000);

  it('explains its usage and refuses unknown commands', async () => {
    const help = tidings(['--help']);
    expect(await exitOf(help.child)).toBe(0);
    expect(help.out.join('')).toMatch(/tidings <command>/);
    const bad = tidings(['frobnicate']);
    expect(await exitOf(bad.child)).toBe(2);
    expect(bad.out.join('')).toMatch(/unknown command 'frobnicate'/);
  });
});
