import { type EdgeProcess, type RedisServer, SseClient, startEdge, startRedisServer, waitUntil } from '@tidings/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './raw-http.js';
import { metric } from './support.js';

// Clients that leave at the worst moment or flood a connection: whatever they do, the node
// stays up and holds nothing for them afterwards.

let redis: RedisServer;
let edge: EdgeProcess;

beforeAll(async () => {
  redis = await startRedisServer(); // our own, not REDIS_URL: these tests freeze it
  edge = await startEdge({ redisUrl: redis.url });
});

afterAll(async () => {
  await edge?.stop();
  await redis?.stop();
});

/** Runs `during` with redis-server stopped (SIGSTOP): every Redis call the edge makes meanwhile waits. */
async function whileRedisFrozen(during: () => Promise<void>): Promise<void> {
  process.kill(redis.pid, 'SIGSTOP');
  try {
    await during();
  } finally {
    process.kill(redis.pid, 'SIGCONT');
  }
}

const feeds = () => metric(edge, 'tidings_broker_channel_feeds');

async function online(channel: string): Promise<number> {
  return ((await (await fetch(`${edge.url}/v1/channels/${encodeURIComponent(channel)}/presence`)).json()) as { online: number }).online;
}

describe('a subscriber that names its device and leaves while its subscription starts', () => {
  it.each(['sse', 'poll'])('over %s leaves the node up and holding nothing for it', async (route) => {
    const before = await feeds();
    let marker: Promise<SseClient> | undefined;
    await whileRedisFrozen(async () => {
      // Each hangs up right after its request, while the edge waits on Redis for the device's position.
      await Promise.all(
        [1, 2, 3].map((i) => rawRequest(edge.port, `GET /v1/${route}?channel=left/${route}/${i}&device=gone-${i} HTTP/1.1\r\nHost: x\r\n\r\n`, { hangUp: true })),
      );
      // Its Redis calls queue behind theirs, so once it is open they have been dealt with.
      marker = SseClient.connect(`${edge.url}/v1/sse?channel=left/marker&device=marker`);
    });
    const sse = await marker!;
    expect(await feeds()).toBe(before + 1); // the marker's own feed, none for those who left
    for (const i of [1, 2, 3]) expect(await online(`left/${route}/${i}`)).toBe(0);
    sse.close();
    await waitUntil(async () => (await feeds()) === before, 'the marker feed to be released');
  });
});
