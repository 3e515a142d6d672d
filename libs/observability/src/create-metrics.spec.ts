import { describe, expect, it } from 'vitest';
import { createMetrics } from './create-metrics.js';

describe('createMetrics', () => {
  it('renders every counter in Prometheus text format under its documented name, labelled with the node', async () => {
    const metrics = createMetrics('edge-1');
    metrics.publishedTotal.inc({ transport: 'http' }, 3);
    metrics.deliveredTotal.inc({ transport: 'sse' }, 2);
    metrics.slowConsumerDisconnectsTotal.inc({ transport: 'ws' });
    metrics.badRequestsTotal.inc({ code: 'TIDINGS_CHANNEL_INVALID' });
    metrics.gapFillsTotal.inc();
    metrics.resetsTotal.inc({ reason: 'stream-lost' });
    metrics.redisReconnectsTotal.inc(2);
    const text = await metrics.render();
    for (const line of [
      '# TYPE tidings_edge_published_events_total counter',
      'tidings_edge_published_events_total{transport="http",node="edge-1"} 3',
      'tidings_edge_delivered_events_total{transport="sse",node="edge-1"} 2',
      'tidings_edge_slow_consumer_disconnects_total{transport="ws",node="edge-1"} 1',
      'tidings_edge_rejected_requests_total{code="TIDINGS_CHANNEL_INVALID",node="edge-1"} 1',
      'tidings_broker_gap_fills_total{node="edge-1"} 1',
      'tidings_edge_resets_total{reason="stream-lost",node="edge-1"} 1',
      'tidings_broker_live_resubscribes_total{node="edge-1"} 2',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
  });

  it('renders gauges and the publish and delivery latency histograms', async () => {
    const metrics = createMetrics('edge-1');
    metrics.deliveryLatency.observe(0.02);
    metrics.subscriptions.inc(3);
    metrics.connections.inc({ transport: 'ws' });
    metrics.connections.inc({ transport: 'ws' });
    metrics.connections.dec({ transport: 'ws' });
    metrics.channelFeeds.set(7);
    metrics.publishLatency.observe(0.003);
    const lines = (await metrics.render()).split('\n');
    expect(lines).toContain('# TYPE tidings_edge_connections gauge');
    expect(lines).toContain('tidings_edge_connections{transport="ws",node="edge-1"} 1');
    expect(lines).toContain('tidings_broker_channel_feeds{node="edge-1"} 7');
    expect(lines).toContain('# TYPE tidings_edge_publish_duration_seconds histogram');
    expect(lines).toContain('tidings_edge_publish_duration_seconds_bucket{le="0.0025",node="edge-1"} 0');
    expect(lines).toContain('tidings_edge_publish_duration_seconds_bucket{le="0.005",node="edge-1"} 1');
    expect(lines).toContain('tidings_edge_publish_duration_seconds_count{node="edge-1"} 1');
    expect(lines).toContain('tidings_edge_delivery_latency_seconds_bucket{le="0.01",node="edge-1"} 0');
    expect(lines).toContain('tidings_edge_delivery_latency_seconds_bucket{le="0.025",node="edge-1"} 1');
    expect(lines).toContain('tidings_edge_subscriptions{node="edge-1"} 3');
  });

  it('names no gauge with the _total suffix Prometheus keeps for counters', async () => {
    const text = await createMetrics('n').render();
    const gauges = [...text.matchAll(/^# TYPE (\S+) gauge$/gm)].map((m) => m[1]);
    expect(gauges.length).toBeGreaterThan(0);
    expect(gauges.filter((name) => name!.endsWith('_total'))).toEqual([]);
  });

  it('starts every known transport and reset reason at zero, so rate() sees them from the first scrape', async () => {
    const lines = (await createMetrics('n').render()).split('\n');
    for (const transport of ['http', 'ws']) expect(lines).toContain(`tidings_edge_published_events_total{transport="${transport}",node="n"} 0`);
    for (const transport of ['sse', 'ws', 'poll']) {
      expect(lines).toContain(`tidings_edge_delivered_events_total{transport="${transport}",node="n"} 0`);
      expect(lines).toContain(`tidings_edge_connections{transport="${transport}",node="n"} 0`);
    }
    for (const reason of ['retention', 'stream-lost']) expect(lines).toContain(`tidings_edge_resets_total{reason="${reason}",node="n"} 0`);
  });

  it('collects the process metrics under the tidings_ prefix', async () => {
    const text = await createMetrics('n').render();
    expect(text).toMatch(/^tidings_process_cpu_user_seconds_total\{node="n"\} /m);
    expect(text).toMatch(/^tidings_nodejs_eventloop_lag_seconds\{node="n"\} /m);
    expect(text).not.toMatch(/^process_cpu_user_seconds_total/m);
  });

  it('gives every node its own registry', async () => {
    const a = createMetrics('a');
    const b = createMetrics('b');
    b.gapFillsTotal.inc();
    expect(a.registry).not.toBe(b.registry);
    expect((await a.render()).split('\n')).toContain('tidings_broker_gap_fills_total{node="a"} 0');
    expect((await b.render()).split('\n')).toContain('tidings_broker_gap_fills_total{node="b"} 1');
  });

  it('serves the Prometheus text content type', () => {
    expect(createMetrics('n').contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
