import type { ChildProcess } from 'node:child_process';
import { freePort } from '../free-port.js';
import { redisCommand } from '../redis-command.js';
import { assertOnPath } from '../redis-server.js';
import { exitOf, makeTempDir, removeTempDir, spawnTracked, stopProcess } from '../spawn-tracked.js';
import { waitUntil } from '../wait-until.js';

export type AppendFsync = 'always' | 'everysec';

/**
 * A redis-server with an append-only file, which can crash (SIGKILL) and start again on the same
 * port from the same directory: what a Redis restart looks like to the edges and workers.
 */
export interface PersistentRedis {
  readonly url: string;
  readonly port: number;
  /** SIGKILL: whatever the AOF policy had not written to disk is gone. */
  crash(): Promise<void>;
  /** Starts it again on the same port and data, and resolves once it answers PING with its data loaded. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPersistentRedis(fsync: AppendFsync): Promise<PersistentRedis> {
  assertOnPath('redis-server');
  const dir = makeTempDir('tidings-aof-');
  const port = await freePort();
  const launch = async (): Promise<ChildProcess> => {
    const child = spawnTracked('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', fsync]);
    await waitUntil(async () => (await redisCommand(port, 'PING').catch(() => 'down')) === 'PONG', `redis-server on ${port} to answer`, 30_000, 50);
    return child;
  };
  let child: ChildProcess | undefined = await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    crash: async () => {
      const dying = child;
      child = undefined;
      dying?.kill('SIGKILL');
      if (dying) await exitOf(dying);
    },
    restart: async () => {
      child = await launch();
    },
    stop: async () => {
      if (child) await stopProcess(child);
      removeTempDir(dir);
    },
  };
}
