// The corners of the HTTP and WebSocket API that the main scenarios pass by: batch publish (whole,
// refused, cut short by the store), paging (history and receipts), SSE's `uniform` flag and the
// WebSocket `reset` frame.
import { type EdgeProcess, redisCommand, SseClient, startEdge, startRedisServer, WsClient } from '@tidings/testing';
import { describe, expect, it } from 'vitest';
import { edgesOnRedis, publishMany, wsUrl } from './support.js';

const cluster = edgesOnRedis(1, () => ['--retention-max-length', '20']);

async function call(edge: EdgeProcess, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${edge.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const historyIds = async (edge: EdgeProcess, channel: string, query = '') =>
  ((await call(edge, 'GET', `/v1/channels/${encodeURIComponent(channel)}/events${query}`)).json['events'] as { id: string }[]).map((e) => e.id);

describe('batch publish', () => {
  it('writes every item, in order, across channels, and answers each id', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const events = [
      { channel: 'batch/a', data: 1 },
      { channel: 'batch/b', data: 2, event: 'named' },
      { channel: 'batch/a', data: 3 },
    ];
    const { status, json } = await call(edge, 'POST', '/v1/publish', { events });
    expect(status).toBe(201);
    const answered = json['events'] as { id: string; channel: string }[];
    expect(answered.map((e) => e.channel)).toEqual(['batch/a', 'batch/b', 'batch/a']);
    expect(await historyIds(edge, 'batch/a')).toEqual([answered[0]!.id, answered[2]!.id]);
    expect(await historyIds(edge, 'batch/b')).toEqual([answered[1]!.id]);
  });

  it('refuses a batch with one bad item whole, writing none of it', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const { status, json } = await call(edge, 'POST', '/v1/publish', { events: [{ channel: 'batch/whole', data: 1 }, { channel: 'bad channel', data: 2 }] });
    expect(status).toBe(400);
    expect(json).toMatchObject({ error: { code: 'TIDINGS_CHANNEL_INVALID' } });
    expect(await historyIds(edge, 'batch/whole')).toEqual([]);
  });

  it('answers 503 naming the events it wrote when the store stops taking them midway', async () => {
    const redis = await startRedisServer({ args: ['--maxmemory-policy', 'noeviction'] });
    const edge = await startEdge({ redisUrl: redis.url });
    try {
      await publishMany(edge, 'batch/full', 1); // scripts loaded, keys made: what follows is the batch's own memory
      const info = String(await redisCommand(redis.port, 'INFO', ['memory']));
      const used = Number(/used_memory:(\d+)/.exec(info)![1]);
      await redisCommand(redis.port, 'CONFIG', ['SET', 'maxmemory', String(used + 40_000)]);
      const events = Array.from({ length: 100 }, (_, n) => ({ channel: 'batch/full', data: { n, pad: 'x'.repeat(500) } }));
      const { status, json } = await call(edge, 'POST', '/v1/publish', { events });
      expect(status).toBe(503);
      const written = json['events'] as { id: string }[];
      expect(written.length).toBeGreaterThan(0);
      expect(written.length).toBeLessThan(100);
      expect(json['error']).toMatchObject({ code: 'TIDINGS_UNAVAILABLE', message: `stopped after ${written.length} of 100 events` });
      await redisCommand(redis.port, 'CONFIG', ['SET', 'maxmemory', '0']);
      expect((await historyIds(edge, 'batch/full', '?limit=200')).slice(1)).toEqual(written.map((e) => e.id));
    } finally {
      await edge.stop();
      await redis.stop();
    }
  });
});

describe('paging', () => {
  it('pages history with limit and next, and says reset when since is older than retention', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const ids = await publishMany(edge, 'page/history', 25); // retention keeps the last 20
    const first = (await call(edge, 'GET', '/v1/channels/page%2Fhistory/events?limit=8')).json as { events: { id: string }[]; next?: string; reset?: unknown };
    expect(first.events.map((e) => e.id)).toEqual(ids.slice(5, 13));
    // From the oldest retained event, saying that older ones existed: after 0-0, up to the fifth.
    expect(first.reset).toEqual({ channel: 'page/history', lostFrom: '0-0', lostTo: ids[4], reason: 'retention' });
    const second = (await call(edge, 'GET', `/v1/channels/page%2Fhistory/events?limit=8&since=${first.next}`)).json as { events: { id: string }[]; next?: string };
    const third = (await call(edge, 'GET', `/v1/channels/page%2Fhistory/events?limit=8&since=${second.next}`)).json as { events: { id: string }[]; next?: string };
    expect([...second.events, ...third.events].map((e) => e.id)).toEqual(ids.slice(13));
    expect(third.next).toBeUndefined();
    const stale = (await call(edge, 'GET', `/v1/channels/page%2Fhistory/events?since=${ids[0]}`)).json as { events: { id: string }[]; reset: Record<string, string> };
    // Lost: the events after the reader's position (lostFrom) up to and including lostTo.
    expect(stale.reset).toEqual({ channel: 'page/history', lostFrom: ids[0], lostTo: ids[4], reason: 'retention' });
    expect(stale.events.map((e) => e.id)).toEqual(ids.slice(5));
  });

  it('pages the receipts of an event with limit and next', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const devices = ['d1', 'd2', 'd3', 'd4', 'd5'];
    const members = await Promise.all(devices.map((device) => SseClient.connect(`${edge.url}/v1/sse?channel=page%2Freceipts&device=${device}`)));
    const { json } = await call(edge, 'POST', '/v1/channels/page%2Freceipts/events', { data: 'ack me', ack: true });
    const path = `/v1/channels/page%2Freceipts/events/${String(json['id'])}/receipts`;
    const seen: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const page = (await call(edge, 'GET', `${path}?limit=2${next ? `&after=${next}` : ''}`)).json as { devices: { device: string }[]; next?: string; expected: number };
      expect(page.expected).toBe(5);
      seen.push(...page.devices.map((d) => d.device));
      next = page.next;
      pages++;
    } while (next !== undefined && pages < 10);
    expect(seen.sort()).toEqual(devices);
    expect(pages).toBe(3);
    members.forEach((m) => m.close());
  });
});

describe('event names', () => {
  it('are all "message" over SSE with uniform=1, the publisher\'s name kept in the JSON', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const plain = await SseClient.connect(`${edge.url}/v1/sse?channel=names/u`);
    const uniform = await SseClient.connect(`${edge.url}/v1/sse?channel=names/u&uniform=1`);
    await call(edge, 'POST', '/v1/channels/names%2Fu/events', { event: 'price', data: 42 });
    const [named] = await plain.waitFor(1);
    const [same] = await uniform.waitFor(1);
    expect(named!.event).toBe('price');
    expect(same!.event).toBe('message');
    expect(JSON.parse(same!.data)).toMatchObject({ event: 'price', data: 42 });
    plain.close();
    uniform.close();
  });
});

describe('the WebSocket reset frame', () => {
  it('tells a subscriber resuming from before retention what it lost, then sends the rest', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const ids = await publishMany(edge, 'ws/reset', 24); // retention keeps the last 20
    const ws = await WsClient.connect(wsUrl(edge));
    ws.send({ type: 'subscribe', channel: 'ws/reset', since: ids[0] });
    expect(await ws.next((f) => f.type === 'reset')).toMatchObject({ channel: 'ws/reset', lostFrom: ids[0], lostTo: ids[3], reason: 'retention' });
    const got = [];
    for (let i = 0; i < 20; i++) got.push((await ws.next((f) => f.type === 'event')).id);
    expect(got).toEqual(ids.slice(4));
    ws.close();
  });
});
