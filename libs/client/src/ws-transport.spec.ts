import { CLOSE, decodeCursor, encodeCursor, ZERO_ID } from '@tidings/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { createClient } from './create-client.js';
import { FakeWebSocket } from './spec-support/fake-web-socket.js';
import { ManualTimers, settle } from './spec-support/manual-timers.js';
import type { ConnectionState, PresenceEvent, ResetNotice, TidingsEvent } from './types.js';

const cursor = (floor: string, positions: Record<string, string> = {}) => encodeCursor({ floor, positions: new Map(Object.entries(positions)) });
const positionsOf = (c: unknown) => Object.fromEntries(decodeCursor(c as string).positions);

function setup(extra: { heartbeatMs?: number; device?: string; token?: () => string } = {}) {
  FakeWebSocket.reset();
  const timers = new ManualTimers();
  const client = createClient({
    url: 'http://edge.test:8080',
    transport: 'ws',
    WebSocket: FakeWebSocket,
    timers,
    random: () => 0.5,
    reconnect: { baseMs: 100, maxMs: 10_000 },
    heartbeatMs: extra.heartbeatMs ?? 0,
    ...(extra.device ? { device: extra.device } : {}),
    ...(extra.token ? { token: extra.token } : {}),
  });
  return { client, timers };
}

function recorder() {
  const events: TidingsEvent[] = [];
  const states: ConnectionState[] = [];
  const resets: ResetNotice[] = [];
  const errors: Error[] = [];
  return {
    events,
    states,
    resets,
    errors,
    onEvent: (e: TidingsEvent) => events.push(e),
    opts: { onState: (s: ConnectionState) => states.push(s), onReset: (r: ResetNotice) => resets.push(r), onError: (e: Error) => errors.push(e) },
  };
}

const event = (channel: string, id: string, extra: Record<string, unknown> = {}) => ({ type: 'event', channel, id, event: 'message', data: { n: id }, ...extra });

describe('WebSocket transport', () => {
  beforeEach(() => FakeWebSocket.reset());

  it('opens one socket at /v1/ws, subscribes each channel with a ref and reports open once all are subscribed', () => {
    const { client } = setup({ device: 'dev-1' });
    const r = recorder();
    client.subscribe(['a', 'news/+/sport'], r.onEvent, r.opts);
    const socket = FakeWebSocket.last();
    expect(socket.url).toBe('ws://edge.test:8080/v1/ws?device=dev-1');
    socket.serverOpen();
    expect(socket.sentOf('subscribe').map((f) => f.channel)).toEqual(['a', 'news/+/sport']);
    expect(new Set(socket.sentOf('subscribe').map((f) => f.ref)).size).toBe(2);
    socket.acceptSubscribe('a', cursor(ZERO_ID, { a: '5-0' }));
    expect(r.states).toEqual(['connecting']);
    socket.acceptSubscribe('news/+/sport', cursor('100-0'));
    expect(r.states).toEqual(['connecting', 'open']);
  });

  it('asks for presence news on exact channels only, for the subscribe() calls that want it, subscribing again when a later one does', () => {
    const { client } = setup();
    const plain = recorder();
    client.subscribe(['room/1', 'room/#'], plain.onEvent, plain.opts);
    const socket = FakeWebSocket.last();
    socket.serverOpen();
    expect(socket.sentOf('subscribe').map((f) => f.presence)).toEqual([undefined, undefined]);
    socket.acceptSubscribe('room/1', cursor(ZERO_ID));
    socket.acceptSubscribe('room/#', cursor(ZERO_ID));
    const news: PresenceEvent[] = [];
    client.subscribe(['room/1', 'room/#'], () => undefined, { onPresence: (e) => news.push(e) });
    const again = socket.sentOf('subscribe').slice(2);
    expect(again).toEqual([expect.objectContaining({ channel: 'room/1', presence: true })]); // a pattern cannot carry presence
    socket.serverSend({ type: 'presence', channel: 'room/1', device: 'kim', node: 'n1', action: 'join' });
    expect(news).toEqual([{ channel: 'room/1', device: 'kim', node: 'n1', action: 'join' }]);
    expect(plain.errors).toEqual([]);
  });

  it('delivers events, routing wildcard deliveries by their subscription field', () => {
    const { client } = setup();
    const exact = recorder();
    const wild = recorder();
    client.subscribe('a', exact.onEvent);
    client.subscribe('news/#', wild.onEvent);
    const socket = FakeWebSocket.last();
    socket.serverOpen();
    socket.serverSend(event('a', '1-0'));
    socket.serverSend(event('news/x', '2-0', { subscription: 'news/#', event: 'goal', data: 'gooal' }));
    expect(exact.events).toEqual([{ channel: 'a', id: '1-0', event: 'message', data: { n: '1-0' } }]);
    expect(wild.events).toEqual([{ channel: 'news/x', id: '2-0', event: 'goal', data: 'gooal' }]);
  });

  it('authenticates with an auth frame before subscribing, with a fresh token after a 4002 close', async () => {
    let n = 0;
    const { client, timers } = setup({ token: () => `t${++n}` });
    client.subscribe('a', () => undefined);
    const first = FakeWebSocket.last();
    first.serverOpen();
    await settle();
    expect(first.url).not.toContain('token');
    expect(first.sent.map((f) => f.type)).toEqual(['auth', 'subscribe']);
    expect(first.sent[0]).toEqual({ type: 'auth', token: 't1' });
    first.serverClose(CLOSE.TOKEN_EXPIRED);
    timers.runNext();
    const second = FakeWebSocket.last();
    second.serverOpen();
    await settle();
    expect(second.sent[0]).toEqual({ type: 'auth', token: 't2' });
  });

  it('drops an event it already delivered for that channel', () => {
    const { client } = setup();
    const r = recorder();
    client.subscribe('a', r.onEvent);
    const socket = FakeWebSocket.last();
    socket.serverOpen();
    for (const id of ['1-0', '2-0', '2-0', '1-0', '3-0']) socket.serverSend(event('a', id));
    expect(r.events.map((e) => e.id)).toEqual(['1-0', '2-0', '3-0']);
  });

  it('passes a redelivery on although its id is old, and keeps the position where the stream is', () => {
    const { client } = setup();
    const r = recorder();
    const sub = client.subscribe('a', r.onEvent);
    const socket = FakeWebSocket.last();
    socket.serverOpen();
    socket.acceptSubscribe('a', cursor(ZERO_ID, { a: '1-0' }));
    socket.serverSend(event('a', '2-0'));
    socket.serverSend(event('a', '3-0'));
    socket.serverSend(event('a', '2-0', { redelivery: true }));
    expect(r.events.map((e) => [e.id, e.redelivery ?? false])).toEqual([
      ['2-0', false],
      ['3-0', false],
      ['2-0', true],
    ]);
    expect(positionsOf(sub.cursor)).toEqual({ a: '3-0' });
    socket.serverSend(event('a', '3-0'));
    expect(r.events).toHaveLength(3); // plain duplicates are still dropped
  });

  it('shares one server subscription between subscribe() calls and unsubscribes when the last one closes', () => {
    const { client } = setup();
    const one = recorder();
    const two = recorder();
    const s1 = client.subscribe('a', one.onEvent);
    const socket = FakeWebSocket.last();
    socket.serverOpen();
    const s2 = client.subscribe('a', two.onEvent);
    expect(socket.sentOf('subscribe')).toHaveLength(1);
    socket.serverSend(event('a', '1-0'));
    expect([one.events.length, two.events.length]).toEqual([1, 1]);
    s1.close();
    expect(socket.sentOf('unsubscribe')).toEqual([]);
    s2.close();
    expect(socket.sentOf('unsubscribe')).toEqual([{ type: 'unsubscribe', channel: 'a' }]);
    expect(socket.closedByClient?.code).toBe(1000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('reconnects after a dropped connection with full-jitter backoff and resumes from what it received', () => {
    const { client, timers } = setup();
    const r = recorder();
    const sub = client.subscribe(['a', 'news/#'], r.onEvent, r.opts);
    const first = FakeWebSocket.last();
    first.serverOpen();
    first.acceptSubscribe('a', cursor(ZERO_ID, { a: '5-0' }));
    first.acceptSubscribe('news/#', cursor('100-0'));
    first.serverSend(event('a', '6-0'));
    first.serverSend(event('news/x', '150-0', { subscription: 'news/#' }));
    first.serverClose(1006);
    expect(r.states).toEqual(['connecting', 'open', 'connecting']);
    expect(timers.pendingDelays).toEqual([50]); // random 0.5 × base 100

    timers.runNext();
    const second = FakeWebSocket.last();
    expect(second).not.toBe(first);
    second.serverOpen();
    const [a, news] = second.sentOf('subscribe');
    expect(positionsOf(a?.since)).toEqual({ a: '6-0' });
    expect(decodeCursor(news?.since as string).floor).toBe('100-0');
    expect(positionsOf(news?.since)).toEqual({ 'news/x': '150-0' });
    // The replay overlaps what arrived before the drop: only the new event gets through.
    second.serverSend(event('a', '6-0'));
    second.serverSend(event('a', '7-0'));
    expect(r.events.map((e) => e.id)).toEqual(['6-0', '150-0', '7-0']);
    expect(positionsOf(sub.cursor)).toEqual({ a: '7-0', 'news/x': '150-0' });
  });

  it('grows the backoff ceiling across failed attempts and starts over once subscribed', () => {
    const { client, timers } = setup();
    client.subscribe('a', () => undefined);
    for (let i = 0; i < 3; i++) {
      FakeWebSocket.last().serverClose(1006);
      timers.runNext();
    }
    expect(timers.delays).toEqual([50, 100, 200]);
    const socket = FakeWebSocket.last();
    socket.serverOpen();
    socket.acceptSubscribe('a', cursor(ZERO_ID, { a: '1-0' }));
    socket.serverClose(CLOSE.GOING_AWAY);
    expect(timers.pendingDelays).toEqual([50]);
  });

  it('resumes after a slow-consumer close (a reconnect code)', () => {
    const { client, timers } = setup();
    const r = recorder();
    client.subscribe('a', r.onEvent, r.opts);
    FakeWebSocket.last().serverOpen();
    FakeWebSocket.last().serverClose(CLOSE.SLOW_CONSUMER, 'slow consumer');
    expect(timers.count).toBe(1);
    expect(r.errors).toEqual([]);
  });

  it('stops on a terminal close code and reports it', () => {
    const { client, timers } = setup();
    const r = recorder();
    client.subscribe('a', r.onEvent, r.opts);
    FakeWebSocket.last().serverOpen();
    FakeWebSocket.last().serverClose(CLOSE.PROTOCOL_ERRORS, 'too many bad frames');
    expect(r.states).toEqual(['connecting', 'closed']);
    expect(r.errors[0]).toMatchObject({ code: 'TIDINGS_CLIENT_CONNECTION_REJECTED', closeCode: 4500 });
    expect(timers.count).toBe(0);
  });

  it('ends only the subscribe() call whose subscribe frame the server refused', () => {
    const { client } = setup();
    const bad = recorder();
    const good = recorder();
    client.subscribe(['secret', 'b'], bad.onEvent, bad.opts);
    client.subscribe('c', good.onEvent, good.opts);
    const socket = FakeWebSocket.last();
    socket.serverOpen();
    const ref = socket.sentOf('subscribe').find((f) => f.channel === 'secret')?.ref;
    socket.serverSend({ type: 'error', code: 'TIDINGS_SUBSCRIBE_FORBIDDEN', message: 'no', ref });
    expect(bad.errors[0]).toMatchObject({ code: 'TIDINGS_SUBSCRIBE_FORBIDDEN', message: 'no' });
    expect(bad.states.at(-1)).toBe('closed');
    expect(socket.sentOf('unsubscribe').map((f) => f.channel).sort()).toEqual(['b', 'secret']);
    socket.serverSend(event('c', '1-0'));
    expect(good.events).toHaveLength(1);
    expect(good.errors).toEqual([]);
  });

  it('passes resets on, then accepts the recreated stream and resumes it from its start', () => {
    const { client, timers } = setup();
    const r = recorder();
    client.subscribe('a', r.onEvent, r.opts);
    const socket = FakeWebSocket.last();
    socket.serverOpen();
    socket.acceptSubscribe('a', cursor(ZERO_ID, { a: '900-0' }));
    socket.serverSend(event('a', '901-0'));
    socket.serverSend({ type: 'reset', channel: 'a', lostFrom: '902-0', lostTo: '950-0', reason: 'stream-lost' });
    socket.serverSend(event('a', '1-0'));
    expect(r.resets).toEqual([{ channel: 'a', lostFrom: '902-0', lostTo: '950-0', reason: 'stream-lost' }]);
    expect(r.events.map((e) => e.id)).toEqual(['901-0', '1-0']);
    socket.serverClose(1006);
    timers.runNext();
    FakeWebSocket.last().serverOpen();
    expect(positionsOf(FakeWebSocket.last().sentOf('subscribe')[0]?.since)).toEqual({ a: '1-0' });
  });

  it('sends the given since on the first subscribe', () => {
    const { client } = setup();
    client.subscribe('a', () => undefined, { since: '42-0' });
    FakeWebSocket.last().serverOpen();
    expect(FakeWebSocket.last().sentOf('subscribe')[0]).toMatchObject({ channel: 'a', since: '42-0' });
  });

  it('pings when the interval passes and abandons a connection that stays silent', () => {
    const { client, timers } = setup({ heartbeatMs: 1000 });
    const r = recorder();
    client.subscribe('a', r.onEvent, r.opts);
    const socket = FakeWebSocket.last();
    socket.serverOpen();
    timers.runNext();
    expect(socket.sentOf('ping')).toHaveLength(1);
    socket.serverSend({ type: 'pong' });
    timers.runNext();
    expect(socket.sentOf('ping')).toHaveLength(2);
    timers.runNext(); // no answer to the second ping
    expect(socket.closedByClient).toBeDefined();
    expect(r.states.at(-1)).toBe('connecting');
    timers.runNext();
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('keeps the cursor readable after close, and close() ends every subscription', () => {
    const { client } = setup();
    const r = recorder();
    const sub = client.subscribe('a', r.onEvent, r.opts);
    const socket = FakeWebSocket.last();
    socket.serverOpen();
    socket.acceptSubscribe('a', cursor(ZERO_ID, { a: '1-0' }));
    socket.serverSend(event('a', '3-0'));
    client.close();
    expect(r.states.at(-1)).toBe('closed');
    expect(positionsOf(sub.cursor)).toEqual({ a: '3-0' });
    socket.serverSend(event('a', '4-0'));
    expect(r.events).toHaveLength(1);
  });

  it('reports a frame that is not JSON without dropping the connection', async () => {
    const { client } = setup();
    const r = recorder();
    client.subscribe('a', r.onEvent, r.opts);
    const socket = FakeWebSocket.last();
    socket.serverOpen();
    socket.serverSendRaw('not json');
    await settle(1);
    expect(r.errors[0]).toMatchObject({ code: 'TIDINGS_CLIENT_BAD_RESPONSE' });
    socket.serverSend(event('a', '1-0'));
    expect(r.events).toHaveLength(1);
  });
});
