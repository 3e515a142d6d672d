import type { NodeRegistry, NodeReport } from '@tidings/core';
import { expect, it } from 'vitest';
import type { ManualClock } from './manual-clock.js';

export interface NodeRegistryFixture {
  readonly nodes: NodeRegistry;
  /** The registry's clock: what reports are stamped with and the TTL is read against. */
  readonly clock: ManualClock;
}

const TTL_MS = 15_000;

const report = (node: string, ws: number): NodeReport => ({ node, startedAt: 1_000, connections: { sse: 1, ws, mqtt: 0 }, subscriptions: { 'news/#': ws } });

/** The rules of the cluster's node list (the admin API's view), for any NodeRegistry. */
export function nodeRegistryContract(create: (options: { ttlMs: number }) => Promise<NodeRegistryFixture>): void {
  it('lists each node\'s latest report, when it was seen, sorted by node', async () => {
    const { nodes, clock } = await create({ ttlMs: TTL_MS });
    await nodes.report(report('edge-b', 1));
    await nodes.report(report('edge-a', 1));
    clock.advance(1_000);
    await nodes.report(report('edge-a', 7));
    expect(await nodes.nodes()).toEqual([
      { ...report('edge-a', 7), lastSeen: clock.now(), alive: true },
      { ...report('edge-b', 1), lastSeen: clock.now() - 1_000, alive: true },
    ]);
  });

  it('lists a node that stopped reporting as not alive after the TTL, until it reports again', async () => {
    const { nodes, clock } = await create({ ttlMs: TTL_MS });
    await nodes.report(report('edge-a', 1));
    clock.advance(TTL_MS + 1);
    expect((await nodes.nodes()).map((n) => n.alive)).toEqual([false]);
    await nodes.report(report('edge-a', 1));
    expect((await nodes.nodes()).map((n) => n.alive)).toEqual([true]);
  });

  it('forgets a node that left on purpose', async () => {
    const { nodes } = await create({ ttlMs: TTL_MS });
    await nodes.report(report('edge-a', 1));
    await nodes.report(report('edge-b', 1));
    await nodes.remove('edge-a');
    await nodes.remove('never-was');
    expect((await nodes.nodes()).map((n) => n.node)).toEqual(['edge-b']);
  });
}
