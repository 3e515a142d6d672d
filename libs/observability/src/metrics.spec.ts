import { describe, expect, it } from 'vitest';
import { redactUrl } from './logger.js';
import { createMetrics } from './metrics.js';

describe('metrics', () => {
  it('renders counters in Prometheus text format, labelled with the node', async () => {
    const metrics = createMetrics('edge-1');
    metrics.publishedTotal.inc({ transport: 'http' }, 3);
    metrics.resetsTotal.inc({ reason: 'retention' });
    const text = await metrics.render();
    expect(text).toContain('tidings_edge_published_events_total{transport="http",node="edge-1"} 3');
    expect(text).toContain('tidings_edge_resets_total{reason="retention",node="edge-1"} 1');
    expect(text).toContain('# TYPE tidings_edge_connections gauge');
  });

  it('keeps two nodes in one process apart', async () => {
    const one = createMetrics('a');
    createMetrics('b').gapFillsTotal.inc();
    expect(await one.render()).toContain('tidings_broker_gap_fills_total{node="a"} 0');
  });
});

describe('redactUrl', () => {
  it.each([
    ['/v1/sse?channel=a&token=abc.def', '/v1/sse?channel=a&token=[redacted]'],
    ['/v1/sse?token=x&key=y#f', '/v1/sse?token=[redacted]&key=[redacted]#f'],
    ['/v1/sse?channel=token', '/v1/sse?channel=token'],
  ])('%s → %s', (url, expected) => expect(redactUrl(url)).toBe(expected));
});
