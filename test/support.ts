import { type Browser, chromium } from 'playwright-core';
import { type EdgeProcess, type RedisServer, startEdge, useOrStartRedis } from '@tidings/testing';
import { afterAll, beforeAll } from 'vitest';

/** Publishes one JSON event over HTTP and returns its id (asserting the 201). */
export async function publish(edge: EdgeProcess, channel: string, data: unknown, event?: string): Promise<string> {
  const res = await fetch(`${edge.url}/v1/channels/${encodeURIComponent(channel)}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event === undefined ? { data } : { event, data }),
  });
  if (res.status !== 201) throw new Error(`publish answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

export async function publishMany(edge: EdgeProcess, channel: string, count: number, tag = ''): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await publish(edge, channel, `${tag}${i}`));
  return ids;
}

/** The stream ids inside SSE envelopes. */
export const envelopeIds = (events: readonly { data: string }[]): string[] => events.map((e) => (JSON.parse(e.data) as { id: string }).id);

/** Every event the log holds for `channel` (up to a page): what a refused request must not have added to. */
export async function history(edge: EdgeProcess, channel: string): Promise<unknown[]> {
  const res = await fetch(`${edge.url}/v1/channels/${encodeURIComponent(channel)}/events`);
  return ((await res.json()) as { events: unknown[] }).events;
}

/** The value of the first series on the edge's /metrics that starts with `series` (name and labels); 0 when it has none. */
export async function metric(edge: EdgeProcess, series: string): Promise<number> {
  const text = await (await fetch(`${edge.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(series));
  return line ? Number(line.split(' ').pop()) : 0;
}

export const wsUrl = (edge: EdgeProcess): string => `${edge.url.replace(/^http/, 'ws')}/v1/ws`;

/**
 * A Redis (a private redis-server, or REDIS_URL) and `count` edge processes on it for the test
 * file that calls this: started before its tests, stopped after them.
 */
export function edgesOnRedis(count: number, argsFor: (index: number) => string[] = () => []): { readonly redis: RedisServer; readonly edges: EdgeProcess[] } {
  const fixture = { redis: undefined as unknown as RedisServer, edges: [] as EdgeProcess[] };
  beforeAll(async () => {
    fixture.redis = await useOrStartRedis();
    fixture.edges = await Promise.all(Array.from({ length: count }, (_, i) => startEdge({ redisUrl: fixture.redis.url, args: argsFor(i) })));
  });
  afterAll(async () => {
    await Promise.all(fixture.edges.map((edge) => edge.stop()));
    await fixture.redis?.stop();
  });
  return fixture;
}

/** Debian's headless Chromium (CHROMIUM_PATH elsewhere), quiet: no background traffic of its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
