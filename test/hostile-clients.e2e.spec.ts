import { type EdgeProcess, redisCommand, type RedisServer, SseClient, startEdge, startRedisServer, waitUntil, WsClient } from '@tidings/testing';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './raw-http.js';
import { metric, wsUrl } from './support.js';

// Clients that leave at the worst moment or flood a connection: whatever they do, the node
// stays up and holds nothing for them afterwards.

let redis: RedisServer;
let edge: EdgeProcess;
const LIMIT = 8;

beforeAll(async () => {
  redis = await startRedisServer(); // our own, not REDIS_URL: these tests freeze it
  // Reports every second, so the admin API shows what the node holds soon after a test.
  edge = await startEdge({
    redisUrl: redis.url,
    args: ['--limits-max-channels-per-connection', String(LIMIT), '--presence-refresh-seconds', '1', '--limits-ws-idle-seconds', '8'],
  });
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

/** What the node holds once everything is closed: no feed, no connection, no subscription or device it still reports. */
async function expectNothingHeld(feedsBefore: number, channels: readonly string[]): Promise<void> {
  await waitUntil(async () => (await feeds()) === feedsBefore, 'the live feeds to be released');
  expect(await metric(edge, 'tidings_edge_connections{transport="ws"')).toBe(0);
  const closedAt = Date.now();
  await waitUntil(async () => ((await (await fetch(`${edge.url}/v1/admin/nodes`)).json()) as { nodes: { lastSeen: number }[] }).nodes[0]!.lastSeen > closedAt, 'a report from after the close');
  expect(((await (await fetch(`${edge.url}/v1/admin/connections`)).json()) as { channels: object }).channels).toEqual({});
  for (const channel of channels) expect(await online(channel)).toBe(0);
}

/** Sends `frames` while Redis is frozen, and returns once the edge has read them all (a ping, answered on arrival, came back). */
async function sendWhileRedisFrozen(ws: WsClient, frames: readonly object[], then: () => void = () => undefined): Promise<void> {
  await whileRedisFrozen(async () => {
    for (const frame of frames) ws.send(frame);
    ws.send({ type: 'ping', ref: 'read' });
    await ws.next((f) => f.type === 'pong' && f.ref === 'read');
    then();
  });
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

describe('a flood of subscribe frames on one WebSocket, while Redis is slow to answer', () => {
  it('is held to the per-connection limit: the rest are refused with TIDINGS_TOO_MANY_CHANNELS', async () => {
    const before = await feeds();
    const ws = await WsClient.connect(`${wsUrl(edge)}?device=flooder`);
    const channels = Array.from({ length: LIMIT + 5 }, (_, i) => `flood/${i}`);
    await sendWhileRedisFrozen(ws, channels.map((channel, ref) => ({ type: 'subscribe', channel, ref })));
    const answers = await Promise.all(channels.map((_, ref) => ws.next((f) => f.ref === ref)));
    expect(answers.filter((f) => f.type === 'subscribed')).toHaveLength(LIMIT);
    expect(answers.filter((f) => f.type === 'error').map((f) => f.code)).toEqual(Array(5).fill('TIDINGS_TOO_MANY_CHANNELS'));
    ws.close();
    await ws.closed;
    await expectNothingHeld(before, channels);
  });

  it('to one channel keeps one subscription, and the close releases everything', async () => {
    const before = await feeds();
    const ws = await WsClient.connect(`${wsUrl(edge)}?device=repeater`);
    await sendWhileRedisFrozen(ws, [1, 2, 3, 4, 5].map((ref) => ({ type: 'subscribe', channel: 'again', ref })));
    // Frames are handled in order: each subscribe replaces the one before it.
    const replies = await Promise.all([1, 2, 3, 4, 5].map((ref) => ws.next((f) => f.ref === ref)));
    expect(replies.map((f) => f.type)).toEqual(Array(5).fill('subscribed'));
    expect(await feeds()).toBe(before + 1);
    ws.close();
    await ws.closed;
    await expectNothingHeld(before, ['again']);
  });

  it('beyond what one connection may have waiting, is cut off with 4500 rather than queued', async () => {
    const before = await feeds();
    const ws = await WsClient.connect(`${wsUrl(edge)}?device=firehose`);
    await whileRedisFrozen(async () => {
      for (let i = 0; i < 1100; i++) ws.send({ type: 'subscribe', channel: `hose/${i % LIMIT}`, ref: i });
      expect(await ws.closed).toMatchObject({ code: 4500, reason: 'too many frames waiting; send fewer at once' });
    });
    await expectNothingHeld(before, ['hose/0']);
  });

  it('from a client that closes before Redis answers leaves nothing behind', async () => {
    const before = await feeds();
    const ws = await WsClient.connect(`${wsUrl(edge)}?device=quitter`);
    await sendWhileRedisFrozen(ws, [{ type: 'subscribe', channel: 'quit/a' }, { type: 'subscribe', channel: 'quit/b/#' }], () => ws.close());
    await ws.closed;
    await expectNothingHeld(before, ['quit/a']);
  });
});

describe('a flood of subscribe and unsubscribe frames on one WebSocket', () => {
  /** Redis pub/sub subscriptions, the node's and everyone's: a leaked watch shows up here. */
  const pubsub = async () => [await redisCommand(redis.port, 'PUBSUB', ['NUMPAT']), ((await redisCommand(redis.port, 'PUBSUB', ['CHANNELS'])) as string[]).length];

  it('gets every unsubscribe answered, and leaves no feed or Redis subscription behind', async () => {
    const before = { feeds: await feeds(), pubsub: await pubsub() };
    const ws = await WsClient.connect(wsUrl(edge));
    const rounds = 200;
    for (let i = 0; i < rounds; i++) {
      const channel = i % 2 ? `churn/${i % LIMIT}` : `churn/${i % LIMIT}/#`;
      ws.send({ type: 'subscribe', channel });
      ws.send({ type: 'unsubscribe', channel, ref: i });
    }
    const answers = await Promise.all(Array.from({ length: rounds }, (_, ref) => ws.next((f) => f.ref === ref)));
    expect(answers.every((f) => f.type === 'unsubscribed')).toBe(true);
    ws.close();
    await ws.closed;
    await waitUntil(async () => (await feeds()) === before.feeds, 'the live feeds to be released');
    await waitUntil(async () => JSON.stringify(await pubsub()) === JSON.stringify(before.pubsub), 'Redis subscriptions back to where they were');
  });
});

/** Writes `request` again and again on one connection, reading nothing: true once the server hangs up, false after `max`. */
function pipelineWithoutReading(port: number, request: string, max: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.pause(); // every answer stays on the server's side
    let written = 0;
    let settled = false;
    const finish = (cutOff: boolean) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(cutOff);
    };
    socket.on('error', () => finish(true)); // reset: the server hung up while we wrote
    socket.on('close', () => finish(true));
    const batch = request.repeat(1000);
    const pump = () => {
      while (written < max) {
        written += 1000;
        if (!socket.write(batch)) return void socket.once('drain', pump);
      }
      finish(false);
    };
    socket.once('connect', pump);
  });
}

/** Opcodes of the unmasked frames a server sent after its 101 answer (0x9: ping, 0x8: close). */
function serverOpcodes(bytes: Buffer): number[] {
  const start = bytes.indexOf('\r\n\r\n');
  const opcodes: number[] = [];
  for (let at = start + 4; start >= 0 && at + 2 <= bytes.length; ) {
    const length = bytes[at + 1]! & 0x7f; // control frames are short; events are not sent to this socket
    opcodes.push(bytes[at]! & 0x0f);
    at += 2 + length;
  }
  return opcodes;
}

describe('a WebSocket client that goes silent', () => {
  it('is closed by the idle timeout after unanswered pings, while a client that answers them stays', async () => {
    // The `ws` library answers pings by itself: this one stays while the silent one is cut off.
    const answering = await WsClient.connect(wsUrl(edge));
    // A bare handshake, then nothing: no pongs, no frames.
    const socket = connect(edge.port, '127.0.0.1');
    socket.on('error', () => undefined);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.once('connect', () =>
      socket.write(
        'GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      ),
    );
    await waitUntil(async () => (await metric(edge, 'tidings_edge_connections{transport="ws"')) === 2, 'both sockets to be open');
    await closed; // the server hangs up by itself; the test's timeout only guards against a hang
    const bytes = Buffer.concat(received);
    expect(bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /); // it was an open WebSocket, not a refused upgrade
    expect(serverOpcodes(bytes)).toContain(0x9); // the server pinged it before giving up: the idle timeout, not an error
    await waitUntil(async () => (await metric(edge, 'tidings_edge_connections{transport="ws"')) === 1, 'the node to let go of it');
    answering.send({ type: 'ping', ref: 'alive' });
    expect(await answering.next((f) => f.ref === 'alive')).toMatchObject({ type: 'pong' });
    answering.close();
    await answering.closed;
  }, 60_000);
});

describe('a client that pipelines requests and reads no answer', () => {
  it('is cut off once its answers back up, rather than buffered for without bound', async () => {
    // Two million answers would be hundreds of megabytes held for one client.
    expect(await pipelineWithoutReading(edge.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', 2_000_000)).toBe(true);
    expect((await fetch(`${edge.url}/healthz`)).status).toBe(200);
  }, 120_000);
});
