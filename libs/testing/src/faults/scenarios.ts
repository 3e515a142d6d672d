import { redisCommand } from '../redis-command.js';
import { startRedisCluster, type RedisCluster } from '../redis-cluster.js';
import { startRedisServer } from '../redis-server.js';
import { waitUntil } from '../wait-until.js';
import { DeliveryLedger } from './delivery-ledger.js';
import { type EdgeFleet, startEdgeFleet } from './edge-fleet.js';
import { type FaultReport, type FaultRunOptions, runThroughFault } from './fault-run.js';
import { type AppendFsync, startPersistentRedis } from './persistent-redis.js';
import type { ReceiptTally } from './worker-faults.js';

// The fault scenarios, each setting up its own Redis and edges behind a balancer and tearing them
// down: `npm test` runs them small (test/faults.e2e.spec.ts), `npm run faults -- --full` large.

export interface Scale {
  readonly subscribersPerTransport: number;
  readonly publishers: number;
  readonly eventsPerPublisher: number;
  readonly paceMs: number;
}

export const CI_SCALE: Scale = { subscribersPerTransport: 2, publishers: 2, eventsPerPublisher: 60, paceMs: 20 };
export const FULL_SCALE: Scale = { subscribersPerTransport: 100, publishers: 6, eventsPerPublisher: 400, paceMs: 10 };

export interface ScenarioReport extends FaultReport {
  /** Events that got a 201 and that Redis no longer had after the fault (only a Redis crash can do that). */
  readonly lostByRedis: number;
  /** From the oldest such event to the crash: how much acknowledged time the crash took back. */
  readonly lossWindowMs: number;
  /** Ids some device never received although Redis kept them: must be none. */
  readonly missingKept: number;
  /** Worker scenarios: how every ack-required (event, device) pair ended. */
  readonly receipts?: ReceiptTally;
}

const CHANNELS = ['orders', 'alerts/eu', 'alerts/us'];
const EDGES = 3;

function options(scenario: string, url: string, scale: Scale): FaultRunOptions {
  return { scenario, url, channels: CHANNELS, ...scale };
}

function withoutRedisLoss(report: FaultReport): ScenarioReport {
  return { ...report, lostByRedis: 0, lossWindowMs: 0, missingKept: report.missing };
}

/** Edges on `store` behind a balancer for the length of `run`; then all of it stops. */
async function withFleet<T>(store: { readonly url: string; stop(): Promise<void> }, run: (fleet: EdgeFleet) => Promise<T>, edgeArgs: readonly string[] = []): Promise<T> {
  try {
    const fleet = await startEdgeFleet(store.url, EDGES, edgeArgs);
    try {
      return await run(fleet);
    } finally {
      await fleet.stop();
    }
  } finally {
    await store.stop();
  }
}

/** kill -9 of the edge holding a third of the devices, mid fan-out, and a new edge in its place. */
export async function edgeKill(scale: Scale): Promise<ScenarioReport> {
  return withFleet(await startRedisServer(), async (fleet) =>
    withoutRedisLoss(await runThroughFault(options('edge-kill', fleet.balancer.url, scale), () => fleet.crashAndReplace(0))),
  );
}

/** Every edge in turn drained with SIGTERM and replaced, under steady publishing. */
export async function rollingRestart(scale: Scale): Promise<ScenarioReport> {
  return withFleet(await startRedisServer(), async (fleet) => {
    const report = await runThroughFault(options('rolling-restart', fleet.balancer.url, scale), async () => {
      for (let i = 0; i < EDGES; i++) await fleet.drainAndReplace(i);
    });
    return withoutRedisLoss(report);
  });
}

/** Two more edges behind the balancer under load, then two of the first ones drained away. */
export async function scaleOutAndIn(scale: Scale): Promise<ScenarioReport> {
  return withFleet(await startRedisServer(), async (fleet) => {
    const report = await runThroughFault(options('scale-out-in', fleet.balancer.url, scale), async () => {
      await fleet.scaleOut(2);
      await fleet.scaleIn(0);
      await fleet.scaleIn(0);
    });
    return withoutRedisLoss(report);
  });
}

/** redis-server killed with SIGKILL for `outageMs`, then started again from its AOF. */
export async function redisRestart(fsync: AppendFsync, scale: Scale, outageMs = 1000): Promise<ScenarioReport> {
  const redis = await startPersistentRedis(fsync);
  return withFleet(redis, async (fleet) => {
    const ledger = new DeliveryLedger();
    let crashedAt = 0;
    const report = await runThroughFault(
      options(`redis-restart-${fsync}`, fleet.balancer.url, scale),
      async () => {
        crashedAt = Date.now();
        await redis.crash();
        await new Promise((resolve) => setTimeout(resolve, outageMs));
        await redis.restart();
      },
      ledger,
    );
    let lostByRedis = 0;
    let oldestLostMs = crashedAt;
    let missingKept = 0;
    for (const channel of CHANNELS) {
      const kept = new Set(((await redisCommand(redis.port, 'XRANGE', [`tidings:{c:${channel}}:log`, '-', '+'])) as [string, string[]][]).map(([id]) => id));
      for (const id of ledger.publishedIds(channel)) {
        if (kept.has(id)) continue;
        lostByRedis += 1;
        oldestLostMs = Math.min(oldestLostMs, Number(id.split('-')[0]));
      }
      for (const id of ledger.missingIds(channel)) if (kept.has(id)) missingKept += 1;
    }
    return { ...report, lostByRedis, lossWindowMs: crashedAt - oldestLostMs, missingKept };
  });
}

/**
 * The master of the first channel's slot killed; its replica takes over after the node timeout.
 * With `--publish-replicas 1` among `edgeArgs`, a 201 means the replica had the event.
 */
export async function clusterMasterKill(scale: Scale, edgeArgs: readonly string[] = []): Promise<ScenarioReport> {
  const cluster = await startRedisCluster();
  const replicas = edgeArgs[edgeArgs.indexOf('--publish-replicas') + 1];
  const scenario = edgeArgs.includes('--publish-replicas') ? `cluster-master-kill-replicas-${replicas}` : 'cluster-master-kill';
  return withFleet(cluster, async (fleet) => {
    const key = `tidings:{c:${CHANNELS[0]}}:log`;
    const victim = await masterOf(cluster, key);
    const survivor = cluster.nodes.find((n) => n.port !== victim)!.port;
    const report = await runThroughFault(options(scenario, fleet.balancer.url, scale), async () => {
      cluster.killNode(victim);
      await waitUntil(async () => (await masterOf(cluster, key, survivor)) !== victim, 'a replica to take over', 30_000, 100);
      // Back as the new master's replica: until then a slot that must reach a replica has none.
      await cluster.restartNode(victim);
      await waitUntil(async () => String(await redisCommand(victim, 'INFO', ['replication'])).includes('master_link_status:up'), 'the old master to rejoin as a replica', 30_000, 100);
    });
    return withoutRedisLoss(report);
  }, edgeArgs);
}

/**
 * No fault: publishers and devices on a Redis Cluster, for what publishes cost with `edgeArgs`
 * (`--publish-replicas 1`: each 201 waits for a replica) against without.
 */
export async function clusterSteady(scale: Scale, edgeArgs: readonly string[] = []): Promise<ScenarioReport> {
  const cluster = await startRedisCluster();
  const scenario = edgeArgs.includes('--publish-replicas') ? `cluster-steady-replicas-${edgeArgs[edgeArgs.indexOf('--publish-replicas') + 1]}` : 'cluster-steady';
  return withFleet(cluster, async (fleet) => withoutRedisLoss(await runThroughFault(options(scenario, fleet.balancer.url, scale), async () => undefined)), edgeArgs);
}

/**
 * The slot of every channel moved, one after the other, to another master while publishers and
 * devices run: keys copied with MIGRATE while the source answers ASK for the ones gone, then the
 * slot handed over with SETSLOT NODE on every master (what `redis-cli --cluster reshard` does per
 * slot, here aimed at exactly the busy slots).
 */
export async function clusterSlotMigration(scale: Scale): Promise<ScenarioReport> {
  const cluster = await startRedisCluster();
  return withFleet(cluster, async (fleet) => {
    const report = await runThroughFault(options('cluster-slot-migration', fleet.balancer.url, scale), async () => {
      for (const channel of CHANNELS) await migrateSlot(cluster, `tidings:{c:${channel}}:log`);
    });
    return withoutRedisLoss(report);
  });
}

async function migrateSlot(cluster: RedisCluster, key: string): Promise<void> {
  const asking = cluster.nodes[0]!.port;
  const slot = String(await redisCommand(asking, 'CLUSTER', ['KEYSLOT', key]));
  const source = await masterOf(cluster, key);
  const masters = [...new Set(((await redisCommand(asking, 'CLUSTER', ['SLOTS'])) as [number, number, [string, number]][]).map((r) => Number(r[2][1])))];
  const target = masters.find((port) => port !== source)!;
  const idOf = async (port: number) => String(await redisCommand(port, 'CLUSTER', ['MYID']));
  const [sourceId, targetId] = [await idOf(source), await idOf(target)];
  await redisCommand(target, 'CLUSTER', ['SETSLOT', slot, 'IMPORTING', sourceId]);
  await redisCommand(source, 'CLUSTER', ['SETSLOT', slot, 'MIGRATING', targetId]);
  for (;;) {
    const keys = (await redisCommand(source, 'CLUSTER', ['GETKEYSINSLOT', slot, '10'])) as string[];
    if (keys.length === 0) break;
    await redisCommand(source, 'MIGRATE', ['127.0.0.1', String(target), '', '0', '10000', 'KEYS', ...keys]);
  }
  // The target first, so the slot is never without an owner; then everyone else hears of it.
  await redisCommand(target, 'CLUSTER', ['SETSLOT', slot, 'NODE', targetId]);
  await redisCommand(source, 'CLUSTER', ['SETSLOT', slot, 'NODE', targetId]);
  for (const port of masters) if (port !== source && port !== target) await redisCommand(port, 'CLUSTER', ['SETSLOT', slot, 'NODE', targetId]);
  if ((await masterOf(cluster, key, source)) !== target) throw new Error(`slot ${slot} did not move to ${target}`);
}

/** The port of the master serving `key`'s slot, as `asking` (a live node) sees it. */
async function masterOf(cluster: RedisCluster, key: string, asking = cluster.nodes[0]!.port): Promise<number> {
  const slot = Number(await redisCommand(asking, 'CLUSTER', ['KEYSLOT', key]));
  const ranges = (await redisCommand(asking, 'CLUSTER', ['SLOTS'])) as [number, number, [string, number]][];
  const range = ranges.find(([from, to]) => slot >= from && slot <= to);
  if (!range) throw new Error(`no node serves slot ${slot}`);
  return Number(range[2][1]);
}
