import { type EdgeProcess, type RedisServer, startEdge, useOrStartRedis, WsClient, WsRejectedError } from '@tidings/testing';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { history, wsUrl } from './support.js';

let redis: RedisServer;
let edge: EdgeProcess;

beforeAll(async () => {
  redis = await useOrStartRedis();
  edge = await startEdge({ redisUrl: redis.url, args: ['--limits-max-body-bytes', '1024', '--limits-max-frame-bytes', '2048'] });
});

afterAll(async () => {
  await edge.stop();
  await redis.stop();
});

const json = { 'content-type': 'application/json' };

describe('bad HTTP input gets a clear JSON 4xx and changes nothing', () => {
  it.each([
    ['a channel with a space', 'POST', '/v1/channels/bad%20name/events', json, '{"data":1}', 400, 'TIDINGS_CHANNEL_INVALID'],
    ['a channel with braces (key-slot escape)', 'POST', '/v1/channels/%7Bx%7D/events', json, '{"data":1}', 400, 'TIDINGS_CHANNEL_INVALID'],
    ['a channel with a glob star', 'POST', '/v1/channels/a*/events', json, '{"data":1}', 400, 'TIDINGS_CHANNEL_INVALID'],
    ['a wildcard as a publish target', 'POST', '/v1/channels/news%2F%2B/events', json, '{"data":1}', 400, 'TIDINGS_CHANNEL_INVALID'],
    ['the reserved event name reset', 'POST', '/v1/channels/ok/events', json, '{"data":1,"event":"reset"}', 400, 'TIDINGS_EVENT_NAME_INVALID'],
    ['a 201-byte channel', 'POST', `/v1/channels/${'c'.repeat(201)}/events`, json, '{"data":1}', 400, 'TIDINGS_CHANNEL_INVALID'],
    ['broken percent-encoding', 'POST', '/v1/channels/%E0%A4%A/events', json, '{"data":1}', 400, 'TIDINGS_CHANNEL_INVALID'],
    ['invalid JSON', 'POST', '/v1/channels/ok/events', json, '{"data":', 400, 'TIDINGS_BODY_INVALID'],
    ['JSON without data', 'POST', '/v1/channels/ok/events', json, '{"event":"x"}', 400, 'TIDINGS_BODY_INVALID'],
    ['an unknown envelope key', 'POST', '/v1/channels/ok/events', json, '{"data":1,"colour":"red"}', 400, 'TIDINGS_BODY_INVALID'],
    ['an event name with a newline (SSE injection)', 'POST', '/v1/channels/ok/events', json, '{"data":1,"event":"a\\ndata: x"}', 400, 'TIDINGS_EVENT_NAME_INVALID'],
    ['a non-boolean ack', 'POST', '/v1/channels/ok/events', json, '{"data":1,"ack":"yes"}', 400, 'TIDINGS_BODY_INVALID'],
    ['a bad idempotency key', 'POST', '/v1/channels/ok/events', json, '{"data":1,"idempotencyKey":"a b"}', 400, 'TIDINGS_IDEMPOTENCY_KEY_INVALID'],
    ['too deep JSON', 'POST', '/v1/channels/ok/events', json, `{"data":${'['.repeat(40)}${']'.repeat(40)}}`, 400, 'TIDINGS_BODY_INVALID'],
    ['an empty text body', 'POST', '/v1/channels/ok/events', {}, '', 400, 'TIDINGS_BODY_INVALID'],
    ['an oversized body', 'POST', '/v1/channels/ok/events', json, JSON.stringify({ data: 'x'.repeat(2000) }), 413, 'TIDINGS_BODY_TOO_LARGE'],
    ['a batch with one bad channel', 'POST', '/v1/publish', json, '{"events":[{"channel":"ok","data":1},{"channel":"b d","data":2}]}', 400, 'TIDINGS_CHANNEL_INVALID'],
    ['an empty batch', 'POST', '/v1/publish', json, '{"events":[]}', 400, 'TIDINGS_BATCH_INVALID'],
  ])('%s', async (_name, method, path, headers, body, status, code) => {
    const res = await fetch(`${edge.url}${path}`, { method, headers, body });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code, message: expect.any(String) });
    expect(await history(edge, 'ok')).toEqual([]);
  });

  it.each([
    ['no channel', '/v1/sse', 400, 'TIDINGS_QUERY_INVALID'],
    ['a bad channel', '/v1/sse?channel=a%0Ab', 400, 'TIDINGS_CHANNEL_INVALID'],
    ['a misplaced #', `/v1/sse?channel=${encodeURIComponent('a/#/b')}`, 400, 'TIDINGS_PATTERN_INVALID'],
    ['a garbage cursor', '/v1/sse?channel=a&lastEventId=%%%garbage', 400, 'TIDINGS_CURSOR_INVALID'],
    ['a huge cursor', `/v1/sse?channel=a&lastEventId=${'A'.repeat(9000)}`, 400, 'TIDINGS_CURSOR_INVALID'],
    ['too many channels', `/v1/sse?${Array.from({ length: 65 }, (_, i) => `channel=c${i}`).join('&')}`, 400, 'TIDINGS_TOO_MANY_CHANNELS'],
    ['a bad poll timeout', '/v1/poll?channel=a&timeout=9999', 400, 'TIDINGS_QUERY_INVALID'],
    ['a bad history limit', '/v1/channels/a/events?limit=0', 400, 'TIDINGS_QUERY_INVALID'],
    ['a bad history since', '/v1/channels/a/events?since=yesterday', 400, 'TIDINGS_QUERY_INVALID'],
    ['an unknown route', '/v1/nope', 404, 'TIDINGS_NOT_FOUND'],
  ])('GET with %s', async (_name, path, status, code) => {
    const res = await fetch(`${edge.url}${path}`);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
  });

  it('refuses a wrong method with 405 and an Allow header', async () => {
    const res = await fetch(`${edge.url}/v1/publish`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('refuses a Last-Event-ID header carrying a CR/LF injection attempt', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${edge.url}/v1/sse?channel=a`, { headers: { 'last-event-id': 'abc\tdef' } }, (res) => {
        resolve(res.statusCode ?? 0);
        res.destroy();
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
  });
});

describe('bad WebSocket frames get an error frame or a close code', () => {
  it.each([
    ['not JSON', 'hello', 'TIDINGS_FRAME_INVALID'],
    ['an unknown type', '{"type":"dance"}', 'TIDINGS_FRAME_UNKNOWN_TYPE'],
    ['a bad channel', '{"type":"subscribe","channel":"a b"}', 'TIDINGS_CHANNEL_INVALID'],
    ['a garbage since', '{"type":"subscribe","channel":"a","since":"zzz"}', 'TIDINGS_CURSOR_INVALID'],
    ['an unsubscribe of nothing', '{"type":"unsubscribe","channel":"never"}', 'TIDINGS_NOT_SUBSCRIBED'],
    ['an unknown key', '{"type":"ping","extra":1}', 'TIDINGS_FRAME_INVALID'],
  ])('%s → error %s, connection kept', async (_name, frame, code) => {
    const ws = await WsClient.connect(wsUrl(edge));
    ws.sendRaw(frame);
    expect((await ws.next((f) => f.type === 'error')).code).toBe(code);
    ws.send({ type: 'ping', ref: 7 });
    expect(await ws.next((f) => f.type === 'pong')).toEqual({ type: 'pong', ref: 7 });
    ws.close();
  });

  it('echoes the ref of the frame that failed', async () => {
    const ws = await WsClient.connect(wsUrl(edge));
    ws.send({ type: 'subscribe', channel: 'a b', ref: 'mine' });
    expect(await ws.next((f) => f.type === 'error')).toMatchObject({ ref: 'mine', code: 'TIDINGS_CHANNEL_INVALID' });
    ws.close();
  });

  it('closes on a binary frame with 1003', async () => {
    const ws = await WsClient.connect(wsUrl(edge));
    ws.sendRaw(Buffer.from([1, 2, 3]), true);
    expect((await ws.closed).code).toBe(1003);
  });

  it('closes on a frame over the size limit with 1009', async () => {
    const ws = await WsClient.connect(wsUrl(edge));
    ws.send({ type: 'publish', channel: 'big', data: 'x'.repeat(3000) });
    expect((await ws.closed).code).toBe(1009);
    expect(await history(edge, 'big')).toEqual([]);
  });

  it('closes a connection that keeps sending invalid frames with 4500', async () => {
    const ws = await WsClient.connect(wsUrl(edge));
    for (let i = 0; i < 25; i++) ws.sendRaw('nope');
    expect((await ws.closed).code).toBe(4500);
  });
});

describe('a bad device on a WebSocket upgrade', () => {
  it.each([
    ['a broken percent-escape', '%ZZ'],
    ['a double-encoded name', '%2541'],
    ['an empty name', ''],
    ['a newline', 'a%0Ab'],
  ])('%s is refused with 400 TIDINGS_DEVICE_INVALID', async (_name, device) => {
    const refusal = await WsClient.connect(`${wsUrl(edge)}?device=${device}`).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(WsRejectedError);
    expect(refusal).toMatchObject({ status: 400 });
    expect((JSON.parse((refusal as WsRejectedError).body) as { error: { code: string } }).error.code).toBe('TIDINGS_DEVICE_INVALID');
  });

  it('a percent-encoded one is decoded once', async () => {
    const ws = await WsClient.connect(`${wsUrl(edge)}?device=desk%3A1`);
    ws.send({ type: 'subscribe', channel: 'devices/decoded' });
    await ws.next((f) => f.type === 'subscribed');
    const presence = (await (await fetch(`${edge.url}/v1/channels/devices%2Fdecoded/presence`)).json()) as { devices: { device: string }[] };
    expect(presence.devices.map((d) => d.device)).toEqual(['desk:1']);
    ws.close();
  });
});

describe('the node survives all of the above', () => {
  it('still answers health and publishes', async () => {
    expect((await fetch(`${edge.url}/healthz`)).status).toBe(200);
    const res = await fetch(`${edge.url}/v1/channels/after/events`, { method: 'POST', body: 'still here' });
    expect(res.status).toBe(201);
  });
});
