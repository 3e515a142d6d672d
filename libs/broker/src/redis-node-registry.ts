import type { NodeRegistry, NodeReport, NodeStatus } from '@tidings/core';
import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';

/** Edge nodes' reports in one hash (a handful of nodes, read by admins): node → report JSON. */
export class RedisNodeRegistry implements NodeRegistry {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async report(report: NodeReport): Promise<void> {
    await this.redis.hset(this.keys.nodes(), report.node, JSON.stringify({ ...report, lastSeen: this.now() }));
  }

  async remove(node: string): Promise<void> {
    await this.redis.hdel(this.keys.nodes(), node);
  }

  async nodes(): Promise<NodeStatus[]> {
    const all = await this.redis.hgetall(this.keys.nodes());
    const freshAfter = this.now() - this.ttlMs;
    return Object.values(all)
      .map((raw) => JSON.parse(raw) as NodeReport & { lastSeen: number })
      .map((r) => ({ ...r, alive: r.lastSeen >= freshAfter }))
      .sort((a, b) => (a.node < b.node ? -1 : 1));
  }
}
