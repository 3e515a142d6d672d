import type { EdgeProcess } from '../edge-process.js';
import { redisCommand } from '../redis-command.js';
import { waitUntil } from '../wait-until.js';
import { startEdgeFleet } from './edge-fleet.js';
import { FaultProxy } from './fault-proxy.js';
import { type FaultReport, runThroughFault } from './fault-run.js';
import { rssOf } from './network-faults.js';
import { startPersistentRedis } from './persistent-redis.js';

// Soak (`npm run faults -- --soak --minutes N`, never in CI): devices and publishers run for N
// minutes while a fault strikes every FAULT_EVERY_MS, in turn: an edge killed, an edge drained, a
// Redis crash and restart, a network partition, resets, and half-open connections between edges
// and Redis. After the last fault everything settles under the same load, and the edges' memory
// and connection counts and Redis' own are compared with what they were before the first.

export interface SoakSnapshot {
  /** Resident memory of all edges together, in bytes. */
  readonly edgeRss: number;
  /** Subscriber connections the edges report open (tidings_edge_connections, all transports). */
  readonly edgeConnections: number;
  readonly redisUsedMemory: number;
  readonly redisClients: number;
}

export interface SoakReport extends FaultReport {
  readonly minutes: number;
  /** Each fault's name and how many times it struck. */
  readonly faultsInjected: Record<string, number>;
  readonly baseline: SoakSnapshot;
  readonly end: SoakSnapshot;
}

const CHANNELS = ['soak/a', 'soak/b', 'soak/c', 'soak/d'];
const FAULT_EVERY_MS = 30_000;
/** Time without faults before each snapshot, so recovery and Redis' lazy frees are over. */
const SETTLE_MS = 30_000;
const PACE_MS = 50;

export async function soak(minutes: number, subscribersPerTransport = 20): Promise<SoakReport> {
  const redis = await startPersistentRedis('always');
  const proxy = await FaultProxy.start(redis.port);
  const fleet = await startEdgeFleet(`redis://127.0.0.1:${proxy.port}`, 3, ['--sse-heartbeat-seconds', '1']);
  const faultsInjected: Record<string, number> = {};
  let next = 0;
  const faults: readonly [string, () => Promise<void>][] = [
    ['edge-kill', () => fleet.crashAndReplace(next % fleet.edges.length)],
    ['edge-drain', () => fleet.drainAndReplace(next % fleet.edges.length)],
    [
      'redis-restart',
      async () => {
        await redis.crash();
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await redis.restart();
      },
    ],
    ['partition', () => proxy.partition(3000)],
    ['reset', async () => proxy.reset()],
    ['half-open', async () => proxy.halfOpen()],
  ];
  let baseline: SoakSnapshot | undefined;
  let end: SoakSnapshot | undefined;
  try {
    const publishers = 2;
    const endsAt = Date.now() + minutes * 60_000;
    const report = await runThroughFault(
      {
        scenario: 'soak',
        url: fleet.balancer.url,
        channels: CHANNELS,
        subscribersPerTransport,
        publishers,
        // At most one event per pace; each publish's own time makes it fewer, so the clock ends it.
        eventsPerPublisher: Math.ceil((minutes * 60_000) / PACE_MS),
        publishUntil: endsAt,
        paceMs: PACE_MS,
        faultAt: 0.02,
        silenceMs: 4000,
      },
      async () => {
        const stopFaultsAt = endsAt - 2 * SETTLE_MS;
        baseline = await snapshot(fleet.edges, redis.port);
        while (Date.now() + FAULT_EVERY_MS < stopFaultsAt) {
          await new Promise((resolve) => setTimeout(resolve, FAULT_EVERY_MS));
          const [name, strike] = faults[next++ % faults.length]!;
          faultsInjected[name] = (faultsInjected[name] ?? 0) + 1;
          await strike();
        }
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        // Every device back on an edge (some reconnect with jitter after the last fault).
        await waitUntil(async () => (await snapshot(fleet.edges, redis.port)).edgeConnections >= baseline!.edgeConnections, 'every device to be connected again', 60_000, 500).catch(() => undefined);
        end = await snapshot(fleet.edges, redis.port);
      },
    );
    return { ...report, minutes, faultsInjected, baseline: baseline!, end: end! };
  } finally {
    await fleet.stop();
    await proxy.stop();
    await redis.stop();
  }
}

async function snapshot(edges: readonly EdgeProcess[], redisPort: number): Promise<SoakSnapshot> {
  let edgeConnections = 0;
  for (const edge of edges) {
    const text = await (await fetch(`${edge.url}/metrics`)).text();
    for (const line of text.split('\n')) if (line.startsWith('tidings_edge_connections{')) edgeConnections += Number(line.split(' ').pop());
  }
  const info = String(await redisCommand(redisPort, 'INFO', ['all']));
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return {
    edgeRss: edges.reduce((sum, e) => sum + rssOf(e.pid), 0),
    edgeConnections,
    redisUsedMemory: field('used_memory'),
    redisClients: field('connected_clients'),
  };
}
