import { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisCommand } from './redis-command.js';
import { startRedisCluster } from './redis-cluster.js';

describe('startRedisCluster', () => {
  // Six processes, a cluster create and the gossip settling: slower than a unit test, but the
  // limit is only a guard against hangs.
  it('starts 3 masters + 3 replicas that serve every slot, usable from an ioredis Cluster client', { timeout: 120_000 }, async () => {
    const cluster = await startRedisCluster();
    const client = new Cluster(cluster.nodes.map(({ host, port }) => ({ host, port })));
    try {
      expect(cluster.nodes).toHaveLength(6);
      expect(cluster.url).toBe(`redis-cluster://${cluster.nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`);
      for (const node of cluster.nodes) {
        const info = String(await redisCommand(node.port, 'CLUSTER', ['INFO']));
        expect(info).toContain('cluster_state:ok');
        expect(info).toContain('cluster_slots_ok:16384');
      }
      const keys = ['{a}key', '{b}key', '{c}key', '{d}key'];
      for (const key of keys) await client.set(key, `value of ${key}`);
      for (const key of keys) expect(await client.get(key)).toBe(`value of ${key}`);
      // The keys hash to different slots, so more than one master holds some of them.
      let mastersHoldingKeys = 0;
      for (const node of cluster.nodes) {
        const [role] = (await redisCommand(node.port, 'ROLE')) as [string];
        if (role === 'master' && Number(await redisCommand(node.port, 'DBSIZE')) > 0) mastersHoldingKeys++;
      }
      expect(mastersHoldingKeys).toBeGreaterThan(1);
    } finally {
      client.disconnect();
      await cluster.stop();
    }
    for (const node of cluster.nodes) await expect(redisCommand(node.port, 'PING')).rejects.toThrow();
  });

  it('refuses fewer than 3 masters', async () => {
    await expect(startRedisCluster({ masters: 2 })).rejects.toThrow('a Redis Cluster needs at least 3 masters, got 2');
  });
});
