// The Redis servers a port's contract runs against: a standalone redis-server (or REDIS_URL) and a
// real 3+3 Redis Cluster, each started once per suite.
import { startRedisCluster, useOrStartRedis } from '@tidings/testing';
import { createRedisClient, type RedisClient, type RedisTarget } from '../redis-client.js';
import { RedisKeys } from '../redis-keys.js';

export interface RedisBackend {
  readonly name: string;
  start(): Promise<{ target: RedisTarget; stop: () => Promise<void> }>;
}

export const REDIS_BACKENDS: readonly RedisBackend[] = [
  {
    name: 'standalone Redis',
    start: async () => {
      const server = await useOrStartRedis();
      return { target: { kind: 'standalone', url: server.url }, stop: () => server.stop() };
    },
  },
  {
    name: 'Redis Cluster',
    start: async () => {
      const cluster = await startRedisCluster();
      return { target: { kind: 'cluster', nodes: cluster.nodes.map(({ host, port }) => ({ host, port })), tls: false }, stop: () => cluster.stop() };
    },
  },
];

let prefixes = 0;

/** A client on the backend and a key prefix of its own for every fixture made from it. */
export async function connect(backend: RedisBackend, name: string): Promise<{ redis: RedisClient; keys: () => RedisKeys; stop: () => Promise<void> }> {
  const { target, stop } = await backend.start();
  const redis = createRedisClient(target, name);
  return {
    redis,
    keys: () => new RedisKeys(`t${process.pid}x${++prefixes}`),
    stop: async () => {
      await redis.quit();
      await stop();
    },
  };
}
