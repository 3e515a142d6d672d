import { createClient, type PresenceEvent, type TidingsClient, type TidingsEvent } from '@tidings/client';
import { type EdgeProcess, freePort, type RedisServer, startEdge, useOrStartRedis, waitUntil } from '@tidings/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { publish, publishMany } from './support.js';

let redis: RedisServer;
let publisher: EdgeProcess;
let other: EdgeProcess;

beforeAll(async () => {
  redis = await useOrStartRedis();
  [publisher, other] = await Promise.all([startEdge({ redisUrl: redis.url }), startEdge({ redisUrl: redis.url })]);
});

afterAll(async () => {
  await Promise.all([publisher?.stop(), other?.stop()]);
  await redis?.stop();
});

const clients: TidingsClient[] = [];
function client(url: string, transport: 'sse' | 'ws' | 'poll', device?: string): TidingsClient {
  // Short backoff and poll timeout keep the test quick; the logic is the same as the defaults'.
  const c = createClient({ url, transport, WebSocket: WebSocket as never, reconnect: { baseMs: 50, maxMs: 500 }, pollTimeoutSec: 2, ...(device ? { device } : {}) });
  clients.push(c);
  return c;
}
afterAll(() => clients.forEach((c) => c.close()));

describe.each(['sse', 'ws', 'poll'] as const)('the JS client over %s', (transport) => {
  it('receives a channel and a wildcard from another node, each event once, in order', async () => {
    const got: TidingsEvent[] = [];
    let open = false;
    const sub = client(other.url, transport).subscribe([`c/${transport}`, `w/${transport}/+`], (e) => got.push(e), {
      onState: (s) => (open ||= s === 'open'),
      onError: (e) => got.push({ channel: 'error', id: '0-0', event: 'error', data: e.message }),
    });
    await waitUntil(() => open && sub.cursor !== undefined, 'the subscription to open');
    const exact = await publishMany(publisher, `c/${transport}`, 5);
    const wild = [await publish(publisher, `w/${transport}/x`, 'x'), await publish(publisher, `w/${transport}/y`, 'y')];
    await waitUntil(() => got.length >= 7, 'seven events');
    expect(got.filter((e) => e.channel === `c/${transport}`).map((e) => e.id)).toEqual(exact);
    expect(got.filter((e) => e.channel.startsWith('w/')).map((e) => e.id).sort()).toEqual([...wild].sort());
    expect(got).toHaveLength(7);
    sub.close();
  });

  it('resumes on another node from its cursor, getting exactly what it missed', async () => {
    const got: TidingsEvent[] = [];
    const first = client(publisher.url, transport).subscribe(`r/${transport}`, (e) => got.push(e));
    await waitUntil(() => first.cursor !== undefined, 'a cursor');
    await publish(publisher, `r/${transport}`, 'seen');
    await waitUntil(() => got.length === 1, 'the first event');
    await waitUntil(() => first.cursor !== undefined, 'the cursor to cover it');
    const cursor = first.cursor!;
    first.close();
    const missed = await publishMany(publisher, `r/${transport}`, 3);
    const resumed: TidingsEvent[] = [];
    client(other.url, transport).subscribe(`r/${transport}`, (e) => resumed.push(e), { since: cursor });
    await waitUntil(() => resumed.length >= 3, 'the missed events');
    expect(resumed.map((e) => e.id)).toEqual(missed);
  });

  it('reconnects by itself when its node goes away and comes back, and misses nothing', async () => {
    const port = await freePort();
    let edge = await startEdge({ redisUrl: redis.url, port });
    const got: TidingsEvent[] = [];
    let opens = 0;
    client(edge.url, transport).subscribe(`k/${transport}`, (e) => got.push(e), { onState: (s) => void (s === 'open' && opens++) });
    await waitUntil(() => opens === 1, 'the first connection');
    const before = await publishMany(publisher, `k/${transport}`, 2);
    await waitUntil(() => got.length === 2, 'events before the restart');
    await edge.stop();
    const during = await publishMany(publisher, `k/${transport}`, 3);
    edge = await startEdge({ redisUrl: redis.url, port });
    const after = await publish(publisher, `k/${transport}`, 'after');
    await waitUntil(() => got.length >= 6, 'events after the restart', 20_000);
    expect(got.map((e) => e.id)).toEqual([...before, ...during, after]);
    await edge.stop();
  });
});

describe.each(['sse', 'ws'] as const)('presence in the JS client over %s', (transport) => {
  it('reports devices joining and leaving the exact channels of a subscription that asks, and answers presence()', async () => {
    const channel = `presence/${transport}`;
    const news: PresenceEvent[] = [];
    const watcher = client(other.url, transport);
    let open = false;
    watcher.subscribe([channel, 'presence/#'], () => undefined, { onPresence: (e) => news.push(e), onState: (s) => void (s === 'open' && (open = true)) });
    await waitUntil(() => open, 'the watcher to subscribe');
    const phone = client(publisher.url, 'sse', `phone-${transport}`);
    const joined = phone.subscribe(channel, () => undefined);
    await waitUntil(() => news.some((e) => e.action === 'join'), 'the join');
    expect(news[0]).toMatchObject({ channel, device: `phone-${transport}`, action: 'join' });
    expect(await watcher.presence(channel)).toMatchObject({ channel, online: 1, devices: [expect.objectContaining({ device: `phone-${transport}` })] });
    joined.close();
    await waitUntil(() => news.some((e) => e.action === 'leave'), 'the leave');
    expect(news.map((e) => `${e.action} ${e.device}`)).toEqual([`join phone-${transport}`, `leave phone-${transport}`]);
  });
});

describe('presence in the JS client over long-poll', () => {
  it('says once that long-poll carries no join and leave news, and keeps delivering events', async () => {
    const errors: { code?: string }[] = [];
    const got: TidingsEvent[] = [];
    let open = false;
    client(other.url, 'poll').subscribe('presence/poll', (e) => got.push(e), {
      onPresence: () => undefined,
      onError: (e) => errors.push(e as { code?: string }),
      onState: (s) => void (s === 'open' && (open = true)),
    });
    await waitUntil(() => errors.length === 1 && open, 'the warning, and the first poll answered'); // from now: publish after it
    expect(errors[0]).toMatchObject({ code: 'TIDINGS_CLIENT_NO_PRESENCE' });
    const id = await publish(publisher, 'presence/poll', 'still here');
    await waitUntil(() => got.length === 1, 'the event');
    expect(got[0]!.id).toBe(id);
  });
});
