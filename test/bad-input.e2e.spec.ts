import { type EdgeProcess, type RedisServer, SseClient, startEdge, useOrStartRedis, WsClient, WsRejectedError } from '@tidings/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { history, publish, wsUrl } from './support.js';

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
const bytes = (before: string, raw: number[], after: string) => Buffer.concat([Buffer.from(before), Buffer.from(raw), Buffer.from(after)]);

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
    ['a NUL in the channel', 'POST', '/v1/channels/a%00b/events', json, '{"data":1}', 400, 'TIDINGS_CHANNEL_INVALID'],
    ['CR LF in the channel', 'POST', '/v1/channels/a%0D%0Aevent%3Ax/events', json, '{"data":1}', 400, 'TIDINGS_CHANNEL_INVALID'],
    ['a 10 KB channel', 'POST', `/v1/channels/${'c'.repeat(10_000)}/events`, json, '{"data":1}', 400, 'TIDINGS_CHANNEL_INVALID'],
    ['a control byte in a batch channel', 'POST', '/v1/publish', json, '{"events":[{"channel":"ok\\u0001","data":1}]}', 400, 'TIDINGS_CHANNEL_INVALID'],
    ['an event name with a CR (SSE injection)', 'POST', '/v1/channels/ok/events', json, '{"data":1,"event":"a\\rid: 0"}', 400, 'TIDINGS_EVENT_NAME_INVALID'],
    ['an event name with CR LF (SSE injection)', 'POST', '/v1/channels/ok/events', json, '{"data":1,"event":"a\\r\\n\\r\\nevent: b"}', 400, 'TIDINGS_EVENT_NAME_INVALID'],
    ['an event name with a NUL', 'POST', '/v1/channels/ok/events', json, '{"data":1,"event":"a\\u0000"}', 400, 'TIDINGS_EVENT_NAME_INVALID'],
    ['a text body that is not UTF-8', 'POST', '/v1/channels/ok/events', {}, new Uint8Array([0x61, 0xc3, 0x28]), 400, 'TIDINGS_BODY_INVALID'],
    ['a JSON body that is not UTF-8', 'POST', '/v1/channels/ok/events', json, bytes('{"data":"', [0xff, 0xfe], '"}'), 400, 'TIDINGS_BODY_INVALID'],
    ['an overlong UTF-8 encoding', 'POST', '/v1/channels/ok/events', {}, new Uint8Array([0x61, 0xc0, 0xaf]), 400, 'TIDINGS_BODY_INVALID'],
    ['an encoded UTF-16 surrogate', 'POST', '/v1/channels/ok/events', {}, new Uint8Array([0x61, 0xed, 0xa0, 0x80]), 400, 'TIDINGS_BODY_INVALID'],
    ['a batch that is not UTF-8', 'POST', '/v1/publish', json, bytes('{"events":[{"channel":"ok","data":"', [0xff], '"}]}'), 400, 'TIDINGS_BODY_INVALID'],
    ['a receipt that is not UTF-8', 'POST', '/v1/channels/ok/events/1-0/receipts', json, bytes('{"device":"', [0xc3], '"}'), 400, 'TIDINGS_BODY_INVALID'],
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
    ['a receipts page limit in exponent form', '/v1/channels/a/events/1-0/receipts?limit=1e3', 400, 'TIDINGS_QUERY_INVALID'],
    ['a receipts page limit in hex', '/v1/channels/a/events/1-0/receipts?limit=0x10', 400, 'TIDINGS_QUERY_INVALID'],
    ['an unknown route', '/v1/nope', 404, 'TIDINGS_NOT_FOUND'],
    ['a control byte in the channel', '/v1/sse?channel=a%01b', 400, 'TIDINGS_CHANNEL_INVALID'],
    ['CR LF in the channel', '/v1/sse?channel=a%0D%0Adata%3A%20x', 400, 'TIDINGS_CHANNEL_INVALID'],
    ['a channel that is not UTF-8', '/v1/poll?channel=a%FF', 400, 'TIDINGS_CHANNEL_INVALID'],
    ['a 10 KB channel', `/v1/poll?channel=${'c'.repeat(10_000)}`, 400, 'TIDINGS_CHANNEL_INVALID'],
    ['a 10 KB pattern', `/v1/sse?channel=${'c/'.repeat(5_000)}%23`, 400, 'TIDINGS_PATTERN_INVALID'],
    ['a control byte in the history channel', '/v1/channels/a%7F/events', 400, 'TIDINGS_CHANNEL_INVALID'],
    ['a 10 KB presence channel', `/v1/channels/${'c'.repeat(10_000)}/presence`, 400, 'TIDINGS_CHANNEL_INVALID'],
    ['CR LF in the device (echoed in presence events)', '/v1/sse?channel=a&device=d%0D%0Aevent%3A%20x', 400, 'TIDINGS_DEVICE_INVALID'],
    ['CR LF in lastEventId (echoed as the SSE id)', '/v1/sse?channel=a&lastEventId=MQ%0D%0Aid%3A%20x', 400, 'TIDINGS_CURSOR_INVALID'],
    ['a cursor naming a bad channel', `/v1/sse?channel=a&lastEventId=${Buffer.from('1\n0.0\nbad chan 1.1').toString('base64url')}`, 400, 'TIDINGS_CURSOR_INVALID'],
    ['a stream id past 2^53 as lastEventId', '/v1/sse?channel=a&lastEventId=99999999999999999-0', 400, 'TIDINGS_CURSOR_INVALID'],
    ['a garbage poll since', '/v1/poll?channel=a&since=%00%FF', 400, 'TIDINGS_CURSOR_INVALID'],
    ['a huge poll since', `/v1/poll?channel=a&since=${'A'.repeat(9000)}`, 400, 'TIDINGS_CURSOR_INVALID'],
    ['a stream id past 2^53 as history since', '/v1/channels/a/events?since=9007199254740992-0', 400, 'TIDINGS_QUERY_INVALID'],
    ['a huge history since', `/v1/channels/a/events?since=${'1'.repeat(9000)}-0`, 400, 'TIDINGS_QUERY_INVALID'],
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

  it.each([
    ['a tab (the one control byte a header may carry)', 'abc\tdef'],
    ['9000 characters', 'A'.repeat(9000)],
    ['a stream id past 2^53', '99999999999999999-0'],
  ])('refuses a Last-Event-ID header holding %s', async (_name, lastEventId) => {
    const res = await fetch(`${edge.url}/v1/sse?channel=a`, { headers: { 'last-event-id': lastEventId } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('TIDINGS_CURSOR_INVALID');
  });

  it('sends text data holding CR, LF and SSE fields as one event, its data intact', async () => {
    const sse = await SseClient.connect(`${edge.url}/v1/sse?channel=inject`);
    const text = 'a\r\nb\rc\n\ndata: evil\nid: 0-0\nevent: reset\n\n';
    expect((await fetch(`${edge.url}/v1/channels/inject/events`, { method: 'POST', body: text })).status).toBe(201);
    await publish(edge, 'inject', 'next');
    const events = await sse.waitFor(2);
    expect(events.map((e) => e.event)).toEqual(['message', 'message']); // no event a line break could have started
    expect(events.map((e) => (JSON.parse(e.data) as { data: string }).data)).toEqual([text, 'next']);
    expect(events[0]!.id).not.toBe('0-0');
    sse.close();
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
    ['JSON that is not an object', 'null', 'TIDINGS_FRAME_INVALID'],
    ['deeply nested JSON', `${'['.repeat(1000)}${']'.repeat(1000)}`, 'TIDINGS_FRAME_INVALID'],
    ['deeply nested data', `{"type":"publish","channel":"ok","data":${'{"a":'.repeat(200)}1${'}'.repeat(200)}}`, 'TIDINGS_FRAME_INVALID'],
    ['a number too large to represent', '{"type":"publish","channel":"ok","data":1e400}', 'TIDINGS_FRAME_INVALID'],
    ['a __proto__ key', '{"type":"ping","__proto__":{"admin":true}}', 'TIDINGS_FRAME_INVALID'],
    ['a control byte in the channel', '{"type":"subscribe","channel":"a\\u0001b"}', 'TIDINGS_CHANNEL_INVALID'],
    ['a 1000-byte channel', `{"type":"subscribe","channel":"${'c'.repeat(1000)}"}`, 'TIDINGS_CHANNEL_INVALID'],
    ['a 1500-character since', `{"type":"subscribe","channel":"a","since":"${'A'.repeat(1500)}"}`, 'TIDINGS_CURSOR_INVALID'],
    ['a since past 2^53', '{"type":"subscribe","channel":"a","since":"99999999999999999-0"}', 'TIDINGS_CURSOR_INVALID'],
    ['CR LF in the device', '{"type":"subscribe","channel":"a","device":"d\\r\\nevent: x"}', 'TIDINGS_DEVICE_INVALID'],
    ['CR LF in a published event name', '{"type":"publish","channel":"ok","event":"a\\r\\ndata: x","data":1}', 'TIDINGS_EVENT_NAME_INVALID'],
    ['an ack of a malformed id', '{"type":"ack","channel":"ok","id":"1-0\\n"}', 'TIDINGS_EVENT_ID_INVALID'],
  ])('%s → an error frame with its code, connection kept', async (_name, frame, code) => {
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

  it('drops a connection whose text frame is not UTF-8 (uWS sends no close frame: the client sees 1006)', async () => {
    const ws = await WsClient.connect(wsUrl(edge));
    ws.sendRaw(bytes('{"type":"publish","channel":"ok","data":"', [0xc3, 0x28], '"}'));
    expect((await ws.closed).code).toBe(1006);
    expect(await history(edge, 'ok')).toEqual([]);
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

describe('a wildcard subscription that matches more channels than allowed', () => {
  let narrow: EdgeProcess;
  beforeAll(async () => {
    narrow = await startEdge({ redisUrl: redis.url, args: ['--limits-max-tracked-channels', '2'] });
    for (const channel of ['track/a', 'track/b', 'track/c']) await publish(narrow, channel, channel);
  });
  afterAll(async () => {
    await narrow.stop();
  });

  it('ends just that WebSocket subscription, saying why, and keeps the connection', async () => {
    const ws = await WsClient.connect(wsUrl(narrow));
    ws.send({ type: 'subscribe', channel: 'track/#', since: '0-0' });
    expect(await ws.next((f) => f.type === 'error')).toMatchObject({ code: 'TIDINGS_TOO_MANY_CHANNELS', channel: 'track/#' });
    ws.send({ type: 'ping', ref: 'alive' });
    expect(await ws.next((f) => f.ref === 'alive')).toMatchObject({ type: 'pong' });
    ws.send({ type: 'unsubscribe', channel: 'track/#', ref: 'gone' });
    expect(await ws.next((f) => f.ref === 'gone')).toMatchObject({ code: 'TIDINGS_NOT_SUBSCRIBED' }); // already ended
    ws.close();
  });

  it('ends an SSE stream with an error event naming the limit', async () => {
    const sse = await SseClient.connect(`${narrow.url}/v1/sse?channel=${encodeURIComponent('track/#')}&lastEventId=0-0`);
    const error = await sse.nextEvent((e) => e.event === 'error');
    expect(JSON.parse(error.data)).toMatchObject({ code: 'TIDINGS_TOO_MANY_CHANNELS' });
    await sse.closed;
  });
});
