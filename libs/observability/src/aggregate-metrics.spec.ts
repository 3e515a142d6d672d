import { describe, expect, it } from 'vitest';
import { aggregateMetrics, snapshotMetrics } from './aggregate-metrics.js';
import { createEdgeGroupMetrics } from './create-edge-group-metrics.js';
import { createMetrics } from './create-metrics.js';

/** Snapshots as they arrive from other processes: through JSON. */
const overIpc = async (registry: Parameters<typeof snapshotMetrics>[0]) => JSON.parse(JSON.stringify(await snapshotMetrics(registry))) as Awaited<ReturnType<typeof snapshotMetrics>>;

describe('aggregateMetrics', () => {
  it('keeps each process its own series when their node labels differ', async () => {
    const first = createMetrics('edge-1');
    const second = createMetrics('edge-2');
    first.connections.set({ transport: 'sse' }, 3);
    second.connections.set({ transport: 'sse' }, 4);
    second.publishedTotal.inc({ transport: 'http' }, 5);
    const lines = (await aggregateMetrics([await overIpc(first.registry), await overIpc(second.registry)])).split('\n');
    expect(lines).toContain('tidings_edge_connections{transport="sse",node="edge-1"} 3');
    expect(lines).toContain('tidings_edge_connections{transport="sse",node="edge-2"} 4');
    expect(lines).toContain('tidings_edge_published_events_total{transport="http",node="edge-2"} 5');
    expect(lines.filter((l) => l === '# TYPE tidings_edge_connections gauge')).toHaveLength(1);
  });

  it('sums counters, gauges and histogram buckets whose labels are the same', async () => {
    const first = createMetrics('edge');
    const second = createMetrics('edge');
    first.deliveredTotal.inc({ transport: 'ws' }, 2);
    second.deliveredTotal.inc({ transport: 'ws' }, 3);
    first.channelFeeds.set(1);
    second.channelFeeds.set(2);
    first.publishLatency.observe(0.002);
    second.publishLatency.observe(0.002);
    const lines = (await aggregateMetrics([await overIpc(first.registry), await overIpc(second.registry)])).split('\n');
    expect(lines).toContain('tidings_edge_delivered_events_total{transport="ws",node="edge"} 5');
    expect(lines).toContain('tidings_broker_channel_feeds{node="edge"} 3');
    expect(lines).toContain('tidings_edge_publish_duration_seconds_count{node="edge"} 2');
    expect(lines).toContain('tidings_edge_publish_duration_seconds_bucket{le="0.0025",node="edge"} 2');
  });

  it('adds the supervisor\'s own series next to its members\'', async () => {
    const group = createEdgeGroupMetrics('edge');
    group.processes.set(2);
    group.restartsTotal.inc();
    const member = createMetrics('edge-1');
    const lines = (await aggregateMetrics([await overIpc(group.registry), await overIpc(member.registry)])).split('\n');
    expect(lines).toContain('tidings_edge_group_processes{node="edge"} 2');
    expect(lines).toContain('tidings_edge_group_restarts_total{node="edge"} 1');
    expect(lines).toContain('tidings_edge_connections{transport="poll",node="edge-1"} 0');
  });
});
