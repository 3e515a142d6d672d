// Vitest global setup: one redis-server and one 3+3 Redis Cluster for every contract suite of the
// project, started once rather than per file (a Cluster takes seconds to form). Suites share them
// through key prefixes of their own.
import { startRedisCluster, useOrStartRedis } from '@tidings/testing';
import type { TestProject } from 'vitest/node';
import type { RedisTarget } from '../redis-client.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisTargets: { standalone: RedisTarget; cluster: RedisTarget };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [server, cluster] = await Promise.all([useOrStartRedis(), startRedisCluster()]);
  project.provide('redisTargets', {
    standalone: { kind: 'standalone', url: server.url },
    cluster: { kind: 'cluster', nodes: cluster.nodes.map(({ host, port }) => ({ host, port })), tls: false },
  });
  return async () => {
    await Promise.all([server.stop(), cluster.stop()]);
  };
}
