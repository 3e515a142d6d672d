// Tidings as it is in this checkout: a redis-server (or a Redis Cluster) and one or more edge
// processes on free ports (anonymous mode, default settings otherwise). Several edges share one
// Redis, each on its own port; the bench publishes through the first.
import { type EdgeProcess, type RedisCluster, type RedisServer, startEdge, startRedisCluster, startRedisServer } from '@tidings/testing';
import { type Route, type Transport, childPids } from '../loadgen/index.js';
import { BENCH_CHANNEL, type ServerUnderTest } from './server-under-test.js';

const EDGES_AT_ONCE = 4;

export interface TidingsOptions {
  readonly edges: number;
  /** A three-master Redis Cluster instead of one redis-server. */
  readonly cluster?: boolean;
  /** Added to every edge's command line (e.g. `--processes 2`). */
  readonly edgeArgs?: readonly string[];
}

/** How a subscriber follows `subscription` (a channel or a wildcard pattern) on Tidings. */
export function tidingsRoute(transport: Transport, subscription: string, options: { readonly device?: boolean; readonly ack?: boolean } = {}): Route {
  const device = options.device ? '&device=d{n}' : '';
  if (transport === 'sse' || transport === 'poll') return { transport, path: `/v1/${transport}?channel=${encodeURIComponent(subscription)}${device}`, wsSubscribe: null };
  return {
    transport,
    path: options.device ? '/v1/ws?device=d{n}' : '/v1/ws',
    wsSubscribe: JSON.stringify({ type: 'subscribe', channel: subscription }),
    ...(options.ack ? { ackEvents: true } : {}),
  };
}

/**
 * Starts `count` edges, a few at a time: 34 edges starting at once on two busy cores missed their
 * 20-s start bound. The first edge that fails to start (it exited, printing why, or was not ready
 * in time) fails the whole start with its message, and no further edge is started.
 */
async function startEdges(count: number, start: () => Promise<EdgeProcess>): Promise<EdgeProcess[]> {
  const edges: EdgeProcess[] = [];
  const pending = new Set<Promise<unknown>>();
  try {
    for (let i = 0; i < count; i++) {
      if (pending.size >= EDGES_AT_ONCE) await Promise.race(pending);
      const starting: Promise<unknown> = start().then((edge) => {
        edges.push(edge);
        pending.delete(starting);
      });
      pending.add(starting);
    }
    await Promise.all(pending);
    return edges;
  } catch (error) {
    // No new start after the first failure; those under way are bounded (20 s) and stopped here.
    await Promise.allSettled(pending);
    await Promise.all(edges.map((edge) => edge.stop()));
    throw error;
  }
}

async function startRedis(cluster: boolean): Promise<{ url: string; pids: number[]; stop(): Promise<void> }> {
  if (!cluster) {
    const redis: RedisServer = await startRedisServer();
    return { url: redis.url, pids: [redis.pid], stop: () => redis.stop() };
  }
  const redisCluster: RedisCluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0 });
  return { url: redisCluster.url, pids: redisCluster.nodes.map((n) => n.pid), stop: () => redisCluster.stop() };
}

export async function startTidings(options: TidingsOptions): Promise<ServerUnderTest> {
  const redis = await startRedis(options.cluster ?? false);
  const args = options.edgeArgs ?? [];
  let edges: EdgeProcess[];
  try {
    edges = await startEdges(options.edges, () => startEdge({ redisUrl: redis.url, args }));
  } catch (error) {
    await redis.stop();
    throw error;
  }
  const first = edges[0]!;
  const redisKind = options.cluster ? 'a 3-master Redis Cluster' : 'redis-server on its own';
  return {
    kind: 'tidings',
    description: `${edges.length} edge process(es)${args.length > 0 ? ` (${args.join(' ')})` : ''}, anonymous, defaults; ${redisKind}`,
    targets: edges.map((edge) => ({ host: '127.0.0.1', port: edge.port })),
    route: (transport) => tidingsRoute(transport, BENCH_CHANNEL),
    transports: ['sse', 'ws', 'poll'],
    publishTargets: [{ host: '127.0.0.1', port: first.port }],
    publishRequest: (data) => ({ path: `/v1/channels/${BENCH_CHANNEL}/events`, body: JSON.stringify({ data }), contentType: 'application/json' }),
    // An edge run with --processes is a supervisor and its members: all of them count.
    serverPids: () => edges.flatMap((edge) => [edge.pid, ...childPids(edge.pid)]),
    redisPids: redis.pids,
    stop: async () => {
      await Promise.all(edges.map((edge) => edge.stop()));
      await redis.stop();
    },
  };
}
