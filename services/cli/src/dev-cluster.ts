import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadDevConfig } from '@tidings/config';

const EDGE_MAIN = fileURLToPath(new URL('../../edge/dist/main.js', import.meta.url));
const CLOCK_CHANNEL = 'demo/clock';

/**
 * `tidings dev` / `npm start`: a whole cluster on this machine. With no Redis given it starts its
 * own redis-server (from PATH) on a free port; then N edge processes on consecutive ports, and a
 * clock that publishes to demo/clock every second for the demo page. Ctrl-C stops all of it.
 */
export async function runDev(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  let config;
  try {
    config = loadDevConfig(argv, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`tidings dev: invalid configuration\n${error.message}\n`);
    return 2;
  }
  const children: ChildProcess[] = [];
  const cleanups: (() => void)[] = [];
  const stopAll = () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  };

  let redisUrl: string;
  if (config.redis) {
    redisUrl = config.redis.kind === 'standalone' ? config.redis.url : `redis-cluster://${config.redis.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  } else {
    if (spawnSync('redis-server', ['--version']).error) {
      process.stderr.write(
        'tidings dev: no Redis given and no redis-server on PATH.\n' +
          'Install it (Debian/Ubuntu: apt-get install redis-server) or pass --redis redis://HOST:PORT.\n',
      );
      return 1;
    }
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'tidings-dev-redis-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: 'ignore',
    });
    children.push(redis);
    redisUrl = `redis://127.0.0.1:${port}`;
    process.stdout.write(`redis-server (embedded, in-memory) on ${redisUrl}\n`);
  }

  const urls: string[] = [];
  for (let i = 0; i < config.edges; i++) {
    const port = config.port + i;
    const edge = spawn(process.execPath, [EDGE_MAIN, '--port', String(port), '--redis', redisUrl, '--allow-anonymous', '--node-id', `dev-${i + 1}`, '--log-level', 'warn'], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.push(edge);
    urls.push(`http://localhost:${port}`);
  }

  let stopping = false;
  const exited = new Promise<number>((resolve) => {
    for (const child of children) {
      child.once('exit', (code) => {
        if (!stopping) {
          process.stderr.write(`tidings dev: a process exited unexpectedly (code ${code}); stopping everything\n`);
          stopping = true;
          stopAll();
        }
        if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) resolve(stopping && code === 0 ? 0 : 1);
      });
    }
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping…\n');
    stopAll();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  if (await waitForHealthy(urls, () => stopping)) {
    process.stdout.write(
      `\nTidings dev cluster is up: ${config.edges} edge node(s)\n${urls.map((u, i) => `  ${u}   (dev-${i + 1})`).join('\n')}\n\n` +
        `Open ${urls[0]} for the demo page. Try:\n` +
        `  curl -d hi ${urls[0]}/v1/channels/demo/events\n` +
        `  curl -N '${urls[urls.length - 1]}/v1/sse?channel=demo/%23'\n\nCtrl-C stops everything.\n`,
    );
    const clock = setInterval(() => void tick(urls[0]!), 1000);
    cleanups.push(() => clearInterval(clock));
  }
  const code = await exited;
  for (const cleanup of cleanups) cleanup();
  return code;
}

async function tick(url: string): Promise<void> {
  try {
    await fetch(`${url}/v1/channels/${encodeURIComponent(CLOCK_CHANNEL)}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'tick', data: { time: new Date().toISOString() } }),
    });
  } catch {
    // The edge is restarting or stopping; the next tick tries again.
  }
}

async function waitForHealthy(urls: readonly string[], stopped: () => boolean): Promise<boolean> {
  for (let attempt = 0; attempt < 200 && !stopped(); attempt++) {
    const ok = await Promise.all(urls.map((u) => fetch(`${u}/readyz`).then((r) => r.ok, () => false)));
    if (ok.every(Boolean)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
