import { type EdgeProcess, SseClient, startEdge, waitUntil, WsClient } from '@tidings/testing';
import { describe, expect, it } from 'vitest';
import { edgesOnRedis, wsUrl } from './support.js';

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
});
