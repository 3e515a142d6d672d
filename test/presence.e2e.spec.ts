import { type EdgeProcess, SseClient, startEdge, startWorker, waitUntil, WsClient } from '@tidings/testing';
import { describe, expect, it } from 'vitest';
import { edgesOnRedis, publish, wsUrl } from './support.js';

const FAST = ['--presence-ttl-seconds', '2', '--presence-refresh-seconds', '1'];
const cluster = edgesOnRedis(2, (i) => [...FAST, '--node-id', `edge-${'ab'[i]}`]);

interface Presence {
  online: number;
  devices: { device: string; node: string; since: number; lastSeen: number }[];
}

async function presence(edge: EdgeProcess, channel: string): Promise<Presence> {
  const res = await fetch(`${edge.url}/v1/channels/${encodeURIComponent(channel)}/presence`);
  expect(res.status).toBe(200);
  return (await res.json()) as Presence;
}

const who = (p: Presence) => p.devices.map((d) => `${d.device}@${d.node}`);

describe('presence', () => {
  it('shows, from any node, which devices are online through which node, and drops one when it leaves', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const phone = await SseClient.connect(`${a.url}/v1/sse?channel=room/1&device=phone`);
    const laptop = await WsClient.connect(`${wsUrl(b)}?device=laptop`);
    laptop.send({ type: 'subscribe', channel: 'room/1' });
    await laptop.next((f) => f.type === 'subscribed');
    const seen = await presence(b, 'room/1');
    expect(who(seen)).toEqual(['laptop@edge-b', 'phone@edge-a']);
    expect(seen.online).toBe(2);
    expect(seen.devices[0]).toMatchObject({ since: expect.any(Number), lastSeen: expect.any(Number) });

    phone.close();
    await waitUntil(async () => who(await presence(a, 'room/1')).join() === 'laptop@edge-b', 'the phone to leave');
    laptop.close();
  });

  it('keeps a device present while its connection lasts, refreshed in batches', async () => {
    const [a] = cluster.edges as [EdgeProcess];
    const sse = await SseClient.connect(`${a.url}/v1/sse?channel=room/2&device=watcher`);
    const first = (await presence(a, 'room/2')).devices[0]!;
    await waitUntil(async () => ((await presence(a, 'room/2')).devices[0]?.lastSeen ?? 0) > first.lastSeen, 'a refresh');
    expect((await presence(a, 'room/2')).devices[0]?.since).toBe(first.since);
    sse.close();
  });

  it('drops the devices of an edge that dies within the TTL', async () => {
    const doomed = await startEdge({ redisUrl: cluster.redis.url, args: [...FAST, '--node-id', 'edge-doomed'] });
    const sse = await SseClient.connect(`${doomed.url}/v1/sse?channel=room/3&device=ghost`);
    expect(who(await presence(cluster.edges[0]!, 'room/3'))).toEqual(['ghost@edge-doomed']);
    doomed.kill9();
    await sse.closed;
    await waitUntil(async () => (await presence(cluster.edges[0]!, 'room/3')).online === 0, 'the ghost to drop out', 15_000);
  });

  it('tells subscribers that ask when devices join and leave, and when a crashed node\'s devices expire', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const channel = 'room/4';
    await publish(a, channel, 'listed'); // the pruner visits the channels in the directory
    const sseWatcher = await SseClient.connect(`${a.url}/v1/sse?channel=${encodeURIComponent(channel)}&presence=1`);
    const wsWatcher = await WsClient.connect(wsUrl(b));
    wsWatcher.send({ type: 'subscribe', channel, presence: true });
    await wsWatcher.next((f) => f.type === 'subscribed');
    const nextChange = async () => {
      const fromSse = JSON.parse((await sseWatcher.nextEvent((e) => e.event === 'presence')).data) as Record<string, unknown>;
      const { type, ...fromWs } = await wsWatcher.next((f) => f.type === 'presence');
      expect(type).toBe('presence');
      expect(fromWs).toEqual(fromSse); // the same news over both transports
      return fromSse;
    };

    const guest = await SseClient.connect(`${b.url}/v1/sse?channel=${encodeURIComponent(channel)}&device=guest`);
    expect(await nextChange()).toEqual({ channel, device: 'guest', node: 'edge-b', action: 'join' });
    guest.close();
    expect(await nextChange()).toEqual({ channel, device: 'guest', node: 'edge-b', action: 'leave' });

    const doomed = await startEdge({ redisUrl: cluster.redis.url, args: [...FAST, '--node-id', 'edge-doomed-2'] });
    const ghost = await SseClient.connect(`${doomed.url}/v1/sse?channel=${encodeURIComponent(channel)}&device=ghost`);
    expect(await nextChange()).toEqual({ channel, device: 'ghost', node: 'edge-doomed-2', action: 'join' });
    doomed.kill9();
    await ghost.closed;
    const pruner = await startWorker({ redisUrl: cluster.redis.url, args: ['--prune-interval-seconds', '1', '--presence-ttl-seconds', '2'] });
    try {
      expect(await nextChange()).toEqual({ channel, device: 'ghost', node: 'edge-doomed-2', action: 'leave', reason: 'expired' });
    } finally {
      await pruner.stop();
    }
    sseWatcher.close();
    wsWatcher.close();
  });

  it('refuses join and leave events on a pattern or with a bad flag', async () => {
    const [a] = cluster.edges as [EdgeProcess];
    const res = await fetch(`${a.url}/v1/sse?channel=room/5&presence=yes`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('TIDINGS_QUERY_INVALID');
    const ws = await WsClient.connect(wsUrl(a));
    ws.send({ type: 'subscribe', channel: 'room/#', presence: true, ref: 1 });
    expect(await ws.next((f) => f.type === 'error')).toMatchObject({ code: 'TIDINGS_FRAME_INVALID', ref: 1 });
    ws.close();
  });
});
