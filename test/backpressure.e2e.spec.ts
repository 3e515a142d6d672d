import { connect } from 'node:net';
import { type EdgeProcess, type RedisServer, SseClient, startEdge, useOrStartRedis, waitUntil } from '@tidings/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqttPacket from 'mqtt-packet';
import WebSocket from 'ws';
import { envelopeIds, metric, publish, wsUrl } from './support.js';

let redis: RedisServer;
let edge: EdgeProcess;
let publisher: EdgeProcess;
const CAP = 65536;
const BIG = 'x'.repeat(8000);

beforeAll(async () => {
  redis = await useOrStartRedis();
  [edge, publisher] = await Promise.all([
    startEdge({ redisUrl: redis.url, args: ['--limits-slow-consumer-bytes', String(CAP), '--sse-heartbeat-seconds', '1', '--cors-origins', 'https://app.example'] }),
    startEdge({ redisUrl: redis.url }),
  ]);
});

afterAll(async () => {
  await Promise.all([edge?.stop(), publisher?.stop()]);
  await redis?.stop();
});

/** Publishes until `stop()` holds: more than any socket buffer between here and a reader that does not read. */
async function flood(channel: string, stop: () => Promise<boolean>): Promise<string[]> {
  const ids: string[] = [];
  while (!(await stop()) && ids.length < 5000) {
    for (let i = 0; i < 50; i++) ids.push(await publish(publisher, channel, BIG));
  }
  return ids;
}

/** A subscribed WebSocket stops reading while `channel` is flooded, until the edge drops it as a slow consumer: how it was closed. */
async function starve(socket: WebSocket, channel: string, transport: 'ws' | 'mqtt'): Promise<{ code: number; reason: string }> {
  const raw = (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  raw.pause();
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const series = `tidings_edge_slow_consumer_disconnects_total{transport="${transport}"`;
  const before = await metric(edge, series);
  await flood(channel, async () => (await metric(edge, series)) > before);
  raw.resume();
  return closed;
}

describe('a slow consumer', () => {
  it('over SSE is disconnected once its buffer passes the cap, and resumes from its cursor with nothing lost', async () => {
    let cursor = '';
    const socket = connect(edge.port, '127.0.0.1', () => socket.write('GET /v1/sse?channel=slow/sse HTTP/1.1\r\nHost: x\r\n\r\n'));
    await new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        const id = /\nid: (\S+)/.exec(chunk.toString())?.[1];
        if (id && !cursor) {
          cursor = id;
          socket.pause(); // from here on it reads nothing
          resolve();
        }
      }),
    );
    const before = await metric(edge, 'tidings_edge_slow_consumer_disconnects_total{transport="sse"');
    const published = await flood('slow/sse', async () => (await metric(edge, 'tidings_edge_slow_consumer_disconnects_total{transport="sse"')) > before);
    expect(await metric(edge, 'tidings_edge_slow_consumer_disconnects_total{transport="sse"')).toBe(before + 1);
    socket.destroy();

    const resumed = await SseClient.connect(`${edge.url}/v1/sse?channel=slow/sse`, { headers: { 'last-event-id': cursor } });
    expect(envelopeIds(await resumed.waitFor(published.length))).toEqual(published);
    resumed.close();
  }, 60_000);

  it('over WebSocket is closed with 4001 and a reason once its buffer passes the cap', async () => {
    const socket = new WebSocket(wsUrl(edge));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'subscribe', channel: 'slow/ws' }));
    await new Promise((resolve) => socket.once('message', resolve));
    expect(await starve(socket, 'slow/ws', 'ws')).toEqual({ code: 4001, reason: expect.stringMatching(/slow consumer/) });
  }, 60_000);

  it('over MQTT is closed with 4001 the same way: the same writer and cap', async () => {
    const socket = new WebSocket(`${edge.url.replace(/^http/, 'ws')}/mqtt`, 'mqtt');
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(mqttPacket.generate({ cmd: 'connect', protocolVersion: 4, clientId: '', clean: true, keepalive: 0 }));
    socket.send(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'slow/mqtt', qos: 0 }] }));
    await new Promise<void>((resolve) => socket.on('message', (data: Buffer) => data[0] === 0x90 && resolve())); // SUBACK
    expect(await starve(socket, 'slow/mqtt', 'mqtt')).toEqual({ code: 4001, reason: expect.stringMatching(/slow consumer/) });
  }, 60_000);
});

describe('keeping connections honest', () => {
  it('sends SSE comment heartbeats', async () => {
    const sse = await SseClient.connect(`${edge.url}/v1/sse?channel=quiet`);
    await waitUntil(() => sse.comments.includes('hb'), 'a heartbeat comment');
    sse.close();
  });

  it('answers CORS preflights and allows only the configured origins', async () => {
    const preflight = await fetch(`${edge.url}/v1/channels/a/events`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/last-event-id/);
    const foreign = await fetch(`${edge.url}/healthz`, { headers: { origin: 'https://evil.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});
