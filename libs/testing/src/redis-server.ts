import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, spawnTracked, stopProcess, waitUntil } from './processes.js';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
  kill9(): void;
}

function requireRedisServer(): void {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error('redis-server is not on PATH: install it (apt-get install redis-server) or set REDIS_URL');
  }
}

/** A private redis-server on a free port, keeping nothing on disk. */
export async function startRedisServer(options: { args?: readonly string[] } = {}): Promise<RedisServer> {
  requireRedisServer();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tidings-redis-'));
  const child = spawnTracked('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...(options.args ?? [])]);
  const url = `redis://127.0.0.1:${port}`;
  await waitForPing(url);
  return {
    url,
    port,
    pid: child.pid!,
    stop: async () => {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
    kill9: () => child.kill('SIGKILL'),
  };
}

/** REDIS_URL when set (stop() then leaves it alone), else a private redis-server. */
export async function useOrStartRedis(): Promise<RedisServer> {
  const external = process.env['REDIS_URL'];
  if (!external) return startRedisServer();
  return { url: external, port: Number(new URL(external).port || 6379), pid: 0, stop: async () => undefined, kill9: () => undefined };
}

export async function waitForPing(url: string): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined); // refused while the server starts: expected, retried below
  try {
    await waitUntil(async () => {
      try {
        if (probe.status !== 'ready') await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        probe.disconnect();
        return false;
      }
    }, `redis at ${url} to answer PING`);
  } finally {
    probe.disconnect();
  }
}
