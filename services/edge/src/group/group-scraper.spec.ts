import { Writable } from 'node:stream';
import { createEdgeGroupMetrics, createLogger, createMetrics, snapshotMetrics } from '@tidings/observability';
import { describe, expect, it } from 'vitest';
import { GroupScraper, type ScrapeTarget } from './group-scraper.js';

function capturedLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'info', name: 'edge', destination }), lines };
}

/** A member that answers with its registry, as one would over IPC. */
function answering(node: string, connections: number): ScrapeTarget {
  const metrics = createMetrics(node);
  metrics.connections.set({ transport: 'sse' }, connections);
  return { node, collect: () => snapshotMetrics(metrics.registry) };
}

/** A member that did not answer in time: what collect reports then. */
const silent = (node: string): ScrapeTarget => ({ node, collect: () => Promise.resolve(undefined) });

describe('GroupScraper', () => {
  it('answers with every member\'s series and the supervisor\'s own', async () => {
    const group = createEdgeGroupMetrics('edge');
    group.processes.set(2);
    const { logger } = capturedLogger();
    const text = await new GroupScraper(() => [answering('edge-1', 2), answering('edge-2', 5)], group, logger, 100).render();
    const lines = text.split('\n');
    expect(lines).toContain('tidings_edge_connections{transport="sse",node="edge-1"} 2');
    expect(lines).toContain('tidings_edge_connections{transport="sse",node="edge-2"} 5');
    expect(lines).toContain('tidings_edge_group_processes{node="edge"} 2');
  });

  it('answers without a member that does not hand in its metrics, and counts and names it', async () => {
    const group = createEdgeGroupMetrics('edge');
    const { logger, lines: logLines } = capturedLogger();
    const text = await new GroupScraper(() => [answering('edge-1', 2), silent('edge-2')], group, logger, 100).render();
    expect(text).toContain('tidings_edge_connections{transport="sse",node="edge-1"} 2');
    expect(text).not.toContain('node="edge-2"');
    expect(text.split('\n')).toContain('tidings_edge_group_scrape_timeouts_total{node="edge"} 1');
    expect(logLines.map((line) => JSON.parse(line) as { missing?: string[] }).find((entry) => entry.missing)?.missing).toEqual(['edge-2']);
  });

  it('asks every member with the same scrape id, and a new id for each scrape', async () => {
    const asked: number[] = [];
    const target: ScrapeTarget = { node: 'edge-1', collect: (id) => (asked.push(id), Promise.resolve([])) };
    const scraper = new GroupScraper(() => [target, { ...target, node: 'edge-2' }], createEdgeGroupMetrics('edge'), capturedLogger().logger, 100);
    await scraper.render();
    await scraper.render();
    expect(asked).toEqual([1, 1, 2, 2]);
  });
});
