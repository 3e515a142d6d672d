import { freePort } from './free-port.js';
import { redisCommand } from './redis-command.js';
import { type RedisProcess, assertOnPath, launchRedis } from './redis-server.js';
import { exitOf, makeTempDir, removeTempDir, spawnTracked, stopProcess } from './spawn-tracked.js';
import { waitUntil } from './wait-until.js';

export interface RedisCluster {
  readonly nodes: { host: string; port: number; pid: number }[];
  /** `redis-cluster://127.0.0.1:p1,127.0.0.1:p2,…` (every node, as seeds). */
  readonly url: string;
  /** Stops every node still running and removes the cluster's directory. */
  stop(): Promise<void>;
  /** SIGKILLs the node listening on `port`: a crash, for failover tests. */
  killNode(port: number): void;
  /**
   * Starts a killed node again on its port with its cluster config (and no data): it rejoins, as
   * a replica of whichever node took over its slots. Resolves once it answers PING.
   */
  restartNode(port: number): Promise<void>;
}

const SLOTS = 16384;
const CREATE_LIMIT_MS = 60_000;
const STABLE_LIMIT_MS = 60_000;

/**
 * Starts a Redis Cluster on 127.0.0.1: `masters` (at least 3) × (1 + `replicasPerMaster`) nodes
 * on free ports (client and bus ports both chosen free), joined with `redis-cli --cluster create`,
 * and resolves once every node reports cluster_state:ok, all 16384 slots served, every node known
 * to every other, and every replica's link to its master up.
 */
export async function startRedisCluster(options: { masters?: number; replicasPerMaster?: number } = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  if (!Number.isInteger(masters) || masters < 3) throw new Error(`a Redis Cluster needs at least 3 masters, got ${masters}`);
  if (!Number.isInteger(replicas) || replicas < 0) throw new Error(`replicasPerMaster must be a whole number, got ${replicas}`);
  assertOnPath('redis-cli');
  const dir = makeTempDir('tidings-redis-cluster-');
  const processes: RedisProcess[] = [];
  /** Each node's cluster arguments, to start it again on the same port and cluster bus port. */
  const nodeArgs = new Map<number, string[]>();
  const stop = async () => {
    await Promise.all(processes.map((p) => stopProcess(p.child)));
    removeTempDir(dir);
  };
  try {
    const total = masters * (1 + replicas);
    for (let i = 0; i < total; i++) {
      processes.push(
        await launchRedis(dir, async (port) => {
          const args = [
            ...['--cluster-enabled', 'yes', '--cluster-config-file', `${dir}/nodes-${port}.conf`, '--cluster-node-timeout', '2000'],
            ...['--cluster-port', String(await freePort())],
          ];
          nodeArgs.set(port, args);
          return args;
        }),
      );
    }
    const ports = processes.map((p) => p.port);
    await createCluster(ports, replicas);
    await waitUntilStable(ports, total);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes: processes.map((p) => ({ host: '127.0.0.1', port: p.port, pid: p.child.pid! })),
    url: `redis-cluster://${processes.map((p) => `127.0.0.1:${p.port}`).join(',')}`,
    stop,
    killNode: (port) => {
      const node = processes.find((p) => p.port === port);
      if (!node) throw new Error(`no node of this cluster listens on ${port}`);
      node.child.kill('SIGKILL');
    },
    restartNode: async (port) => {
      const at = processes.findIndex((p) => p.port === port);
      if (at < 0) throw new Error(`no node of this cluster listens on ${port}`);
      await exitOf(processes[at]!.child);
      const child = spawnTracked('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...nodeArgs.get(port)!]);
      processes[at] = { port, child, output: [] };
      await waitUntil(async () => (await redisCommand(port, 'PING').catch(() => 'down')) === 'PONG', `node ${port} to answer again`, 30_000, 50);
    },
  };
}

async function createCluster(ports: readonly number[], replicas: number): Promise<void> {
  const cli = spawnTracked('redis-cli', [
    '--cluster',
    'create',
    ...ports.map((port) => `127.0.0.1:${port}`),
    '--cluster-replicas',
    String(replicas),
    '--cluster-yes',
  ]);
  let output = '';
  cli.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  cli.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const timer = setTimeout(() => cli.kill('SIGKILL'), CREATE_LIMIT_MS);
  const code = await exitOf(cli).finally(() => clearTimeout(timer));
  if (code !== 0 || !output.includes('[OK] All 16384 slots covered')) {
    throw new Error(`redis-cli --cluster create failed (exit ${code}):\n${output}`);
  }
}

async function waitUntilStable(ports: readonly number[], total: number): Promise<void> {
  const deadline = Date.now() + STABLE_LIMIT_MS;
  let problems: string[] = [];
  for (;;) {
    problems = (await Promise.all(ports.map((port) => nodeProblem(port, total)))).filter((p): p is string => p !== undefined);
    if (problems.length === 0) return;
    if (Date.now() > deadline) throw new Error(`the Redis Cluster did not settle within ${STABLE_LIMIT_MS} ms:\n${problems.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What keeps this node from being ready, or undefined. */
async function nodeProblem(port: number, total: number): Promise<string | undefined> {
  const info = parseInfo(String(await redisCommand(port, 'CLUSTER', ['INFO'])));
  const expected: Record<string, string> = {
    cluster_state: 'ok',
    cluster_slots_assigned: String(SLOTS),
    cluster_slots_ok: String(SLOTS),
    cluster_known_nodes: String(total),
  };
  for (const [key, value] of Object.entries(expected)) {
    if (info[key] !== value) return `127.0.0.1:${port}: ${key} is ${info[key] ?? 'missing'}, waiting for ${value}`;
  }
  const replication = parseInfo(String(await redisCommand(port, 'INFO', ['replication'])));
  if (replication['role'] === 'slave' && replication['master_link_status'] !== 'up') {
    return `127.0.0.1:${port}: replica link to its master is ${replication['master_link_status'] ?? 'missing'}`;
  }
  return undefined;
}

function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  return fields;
}
