import { compareStreamIds } from '@tidings/protocol';
import { type EdgeProcess, type RedisCluster, SseClient, startEdge, startRedisCluster, WsClient } from '@tidings/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeIds, publish, publishMany, wsUrl } from './support.js';

let cluster: RedisCluster;
let edges: EdgeProcess[];

beforeAll(async () => {
  cluster = await startRedisCluster();
  edges = await Promise.all([0, 1, 2].map(() => startEdge({ redisUrl: cluster.url })));
});

afterAll(async () => {
  await Promise.all((edges ?? []).map((e) => e.stop()));
  await cluster?.stop();
});

describe('on a Redis Cluster (3 masters + 3 replicas)', () => {
  it('fans out many channels, spread over the slots, from publishers on two nodes to subscribers on a third', async () => {
    const [a, b, c] = edges as [EdgeProcess, EdgeProcess, EdgeProcess];
    const channels = Array.from({ length: 12 }, (_, i) => `tenant-${i}/alerts`);
    const sse = await SseClient.connect(`${c.url}/v1/sse?${channels.map((ch) => `channel=${encodeURIComponent(ch)}`).join('&')}`);
    const ws = await WsClient.connect(wsUrl(c));
    ws.send({ type: 'subscribe', channel: '+/alerts' });
    await ws.next((f) => f.type === 'subscribed');
    const published = new Map<string, string[]>();
    await Promise.all(
      channels.map(async (channel, i) => published.set(channel, await publishMany(i % 2 ? a : b, channel, 3))),
    );
    const got = await sse.waitFor(36);
    for (const channel of channels) {
      const inChannel = got.map((e) => JSON.parse(e.data) as { channel: string; id: string }).filter((e) => e.channel === channel).map((e) => e.id);
      expect(inChannel).toEqual([...published.get(channel)!].sort(compareStreamIds));
    }
    const frames = [];
    for (let i = 0; i < 36; i++) frames.push(await ws.next((f) => f.type === 'event'));
    expect(frames.map((f) => f.id).sort()).toEqual([...published.values()].flat().sort());
    sse.close();
    ws.close();
  });

  it('resumes from a cursor on another node', async () => {
    const [a, b, c] = edges as [EdgeProcess, EdgeProcess, EdgeProcess];
    const first = await SseClient.connect(`${b.url}/v1/sse?channel=cluster/resume`);
    await publish(a, 'cluster/resume', 'seen');
    await first.waitFor(1);
    first.close();
    const missed = await publishMany(a, 'cluster/resume', 4);
    const second = await SseClient.connect(`${c.url}/v1/sse?channel=cluster/resume`, { headers: { 'last-event-id': first.lastEventId! } });
    expect(envelopeIds(await second.waitFor(4))).toEqual(missed);
    second.close();
  });
});
