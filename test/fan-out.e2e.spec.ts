import { compareStreamIds } from '@tidings/protocol';
import { type EdgeProcess, SseClient, WsClient } from '@tidings/testing';
import { describe, expect, it } from 'vitest';
import { edgesOnRedis, publish } from './support.js';

const cluster = edgesOnRedis(3);

async function pollAll(edge: EdgeProcess, channel: string, want: number): Promise<{ id: string; data: unknown }[]> {
  const got: { id: string; data: unknown }[] = [];
  let cursor: string | undefined;
  while (got.length < want) {
    const query = new URLSearchParams({ channel, timeout: '5', ...(cursor ? { since: cursor } : { since: '0-0' }) });
    const res = await fetch(`${edge.url}/v1/poll?${query}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { events: { id: string; data: unknown }[]; cursor: string };
    got.push(...body.events);
    cursor = body.cursor;
  }
  return got;
}

describe('fan-out across three edge nodes', () => {
  it('delivers events from concurrent publishers on two nodes to SSE, WebSocket and long-poll subscribers on the others, once each, in channel order', async () => {
    const [a, b, c] = cluster.edges as [EdgeProcess, EdgeProcess, EdgeProcess];
    const sse = await SseClient.connect(`${b.url}/v1/sse?channel=orders/eu`);
    const ws = await WsClient.connect(`${c.url.replace('http', 'ws')}/v1/ws`);
    ws.send({ type: 'subscribe', channel: 'orders/eu', ref: 1 });
    await ws.next((f) => f.type === 'subscribed');

    const fromA = (async () => { const ids = []; for (let i = 0; i < 25; i++) ids.push(await publish(a, 'orders/eu', { from: 'a', i })); return ids; })();
    const fromC = (async () => { const ids = []; for (let i = 0; i < 25; i++) ids.push(await publish(c, 'orders/eu', { from: 'c', i })); return ids; })();
    const ids = [...(await fromA), ...(await fromC)].sort(compareStreamIds);

    const sseEvents = await sse.waitFor(50);
    const wsEvents = [];
    for (let i = 0; i < 50; i++) wsEvents.push(await ws.next((f) => f.type === 'event'));
    const polled = await pollAll(b, 'orders/eu', 50);

    expect(sseEvents.map((e) => JSON.parse(e.data).id)).toEqual(ids);
    expect(wsEvents.map((f) => f.id)).toEqual(ids);
    expect(polled.map((e) => e.id)).toEqual(ids);
    expect(sse.events).toHaveLength(50);
    sse.close();
    ws.close();
  });

  it('routes wildcard subscriptions by MQTT rules: + is one level, # the rest', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const plus = await SseClient.connect(`${b.url}/v1/sse?channel=${encodeURIComponent('news/+/sport')}`);
    const hash = await SseClient.connect(`${b.url}/v1/sse?channel=${encodeURIComponent('news/#')}`);
    await publish(a, 'news/uk/sport', 1);
    await publish(a, 'news/uk/weather', 2);
    await publish(a, 'news/fr/sport', 3);
    await publish(a, 'sport/news', 4);
    await publish(a, 'news', 5);
    const plusChannels = (await plus.waitFor(2)).map((e) => JSON.parse(e.data).channel);
    const hashChannels = (await hash.waitFor(4)).map((e) => JSON.parse(e.data).channel);
    expect(plusChannels).toEqual(['news/uk/sport', 'news/fr/sport']);
    expect(hashChannels).toEqual(['news/uk/sport', 'news/uk/weather', 'news/fr/sport', 'news']);
    plus.close();
    hash.close();
  });

  it('carries SSE events with a resumable cursor id, the event name and a JSON envelope', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const sse = await SseClient.connect(`${b.url}/v1/sse?channel=shape`);
    expect(sse.status).toBe(200);
    expect(sse.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(sse.retryMs).toBeGreaterThan(0);
    const res = await fetch(`${a.url}/v1/channels/shape/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event: 'price', data: { v: 1 } }) });
    const { id } = (await res.json()) as { id: string };
    const got = await sse.nextEvent((e) => e.event === 'price');
    expect(JSON.parse(got.data)).toEqual({ channel: 'shape', id, event: 'price', data: { v: 1 } });
    expect(got.id).toMatch(/^[A-Za-z0-9_-]+$/);
    sse.close();
  });

  it('takes a plain-text body as text data, so curl -d works', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const sse = await SseClient.connect(`${b.url}/v1/sse?channel=demo`);
    const res = await fetch(`${a.url}/v1/channels/demo/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'hi' });
    expect(res.status).toBe(201);
    const got = await sse.nextEvent();
    expect(got.event).toBe('message');
    expect(JSON.parse(got.data).data).toBe('hi');
    sse.close();
  });
});
