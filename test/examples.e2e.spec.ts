// Each example in examples/ runs with one command against a real cluster and does what its
// README says (the fleet-feedback example runs in groups.e2e.spec.ts, beside consumer groups).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type EdgeProcess } from '@tidings/testing';
import { describe, expect, it } from 'vitest';
import { edgesOnRedis } from './support.js';

const cluster = edgesOnRedis(1);
const example = (path: string) => new URL(`../examples/${path}`, import.meta.url).pathname;
const run = async (path: string, ...args: string[]) => (await promisify(execFile)(process.execPath, [example(path), ...args], { timeout: 60_000 })).stdout.trim().split('\n');

describe('the examples', () => {
  it('news-feed: the news/+/sport reader gets sport from every region, the news/# reader gets everything', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const lines = (await run('news-feed/news.mjs', '--url', edge.url)).map((line) => line.split(' '));
    const channelsOf = (reader: string) => lines.filter(([who]) => who === reader).map(([, channel]) => channel).sort();
    expect(channelsOf('sport-fan')).toEqual(['news/asia/sport', 'news/europe/sport', 'news/usa/sport']);
    expect(channelsOf('news-junkie')).toHaveLength(9);
    expect(new Set(channelsOf('news-junkie')).size).toBe(9);
  });

  it('receipts-fleet: every valve answers every command, and the operator reads each receipt back', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const lines = await run('receipts-fleet/fleet.mjs', '--devices', '4', '--commands', '3', '--url', edge.url);
    const receipts = lines.filter((line) => line.startsWith('  '));
    expect(lines.filter((line) => line.startsWith('command '))).toHaveLength(3);
    expect(receipts).toHaveLength(12);
    for (const receipt of receipts) expect(receipt).toMatch(/^ {2}valve-0[1-4] (processed|failed \(valve stuck\))$/);
  });
});
