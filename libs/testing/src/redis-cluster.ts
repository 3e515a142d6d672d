import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, spawnTracked, stopProcess, waitUntil } from './processes.js';
import { waitForPing } from './redis-server.js';

export interface RedisCluster {
  readonly nodes: readonly { readonly host: string; readonly port: number; readonly pid: number }[];
  /** `redis-cluster://127.0.0.1:p1,…` as `tidings edge --redis` takes it. */
  readonly url: string;
  stop(): Promise<void>;
  killNode(port: number): void;
}

/** A real Redis Cluster of redis-server processes (3 masters + 3 replicas by default). */
export async function startRedisCluster(options: { masters?: number; replicasPerMaster?: number } = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'tidings-cluster-'));
  const count = masters * (1 + replicas);
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort();
    // The cluster bus listens on port + 10000: both must be free and below 65536.
    if (port + 10000 < 65536 && !ports.includes(port)) ports.push(port);
  }
  const children = ports.map((port) =>
    spawnTracked('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
      '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '2000',
    ]),
  );
  const stop = async () => {
    await Promise.all(children.map((c) => stopProcess(c)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(ports.map((p) => waitForPing(`redis://127.0.0.1:${p}`)));
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', String(replicas), '--cluster-yes'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}\n${create.stderr}`);
    await waitUntil(async () => (await Promise.all(ports.map(clusterIsOk))).every(Boolean), 'cluster_state:ok on every node', 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes: ports.map((port, i) => ({ host: '127.0.0.1', port, pid: children[i]!.pid! })),
    url: `redis-cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    stop,
    killNode: (port) => children[ports.indexOf(port)]?.kill('SIGKILL'),
  };
}

async function clusterIsOk(port: number): Promise<boolean> {
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await probe.connect();
    const info = String(await probe.call('CLUSTER', 'INFO'));
    return info.includes('cluster_state:ok') && info.includes('cluster_slots_assigned:16384');
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
