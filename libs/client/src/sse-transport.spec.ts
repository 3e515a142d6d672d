import { describe, expect, it } from 'vitest';
import { createClient } from './create-client.js';
import { FakeFetch, jsonResponse, sseResponse } from './spec-support/fake-fetch.js';
import { ManualTimers, settle } from './spec-support/manual-timers.js';
import type { ConnectionState, EventSourceLike, ResetNotice, TidingsEvent } from './types.js';

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

const data = (channel: string, id: string, event = 'message', payload: unknown = id) => JSON.stringify({ channel, id, event, data: payload });

describe('SSE transport over fetch (no EventSource)', () => {
  function setup() {
    const fake = new FakeFetch();
    const timers = new ManualTimers();
    const client = createClient({ url: 'http://edge.test', transport: 'sse', fetch: fake.fetch, timers, random: () => 0.5, reconnect: { baseMs: 100 } });
    return { fake, timers, client };
  }

  it('asks for every channel on one stream with uniform=1 and delivers its events', async () => {
    const { fake, client } = setup();
    const r = recorder();
    client.subscribe(['a', 'news/+/sport'], r.onEvent, r.opts);
    const call = fake.last();
    expect(call.url).toBe('http://edge.test/v1/sse?channel=a&channel=news%2F%2B%2Fsport&uniform=1');
    expect(call.header('accept')).toBe('text/event-stream');
    const stream = sseResponse(call.init?.signal);
    call.respond(stream.response);
    stream.write('retry: 2000\nid: c0\n\n: hb\n\n');
    stream.write(`id: c1\nevent: message\ndata: ${data('a', '1-0', 'greeting', { hi: 1 })}\n\n`);
    await settle();
    expect(r.states).toEqual(['connecting', 'open']);
    expect(r.events).toEqual([{ channel: 'a', id: '1-0', event: 'greeting', data: { hi: 1 } }]);
  });

  it('reconnects with Last-Event-ID after the stream ends, within the server retry, and drops replayed duplicates', async () => {
    const { fake, timers, client } = setup();
    const r = recorder();
    const sub = client.subscribe('a', r.onEvent, r.opts);
    const first = sseResponse(fake.last().init?.signal);
    fake.last().respond(first.response);
    first.write(`retry: 3000\nid: c1\ndata: ${data('a', '1-0')}\n\n`);
    await settle();
    expect(sub.cursor).toBe('c1');
    first.end();
    await settle();
    expect(r.states.at(-1)).toBe('connecting');
    expect(timers.pendingDelays).toEqual([1500]); // random 0.5 × the server's 3000 ms
    timers.runNext();
    expect(fake.calls).toHaveLength(2);
    expect(fake.last().header('last-event-id')).toBe('c1');
    const second = sseResponse(fake.last().init?.signal);
    fake.last().respond(second.response);
    second.write(`id: c1\ndata: ${data('a', '1-0')}\n\nid: c2\ndata: ${data('a', '2-0')}\n\n`);
    await settle();
    expect(r.events.map((e) => e.id)).toEqual(['1-0', '2-0']);
    expect(sub.cursor).toBe('c2');
  });

  it('takes the cursor from an id-only block, as the server sends on open', async () => {
    const { fake, client } = setup();
    const sub = client.subscribe('a', () => undefined);
    const stream = sseResponse(fake.last().init?.signal);
    fake.last().respond(stream.response);
    stream.write('id: opening-cursor\n\n');
    await settle();
    expect(sub.cursor).toBe('opening-cursor');
  });

  it('passes reset events to onReset', async () => {
    const { fake, client } = setup();
    const r = recorder();
    client.subscribe('a', r.onEvent, r.opts);
    const stream = sseResponse(fake.last().init?.signal);
    fake.last().respond(stream.response);
    stream.write('event: reset\ndata: {"channel":"a","lostFrom":"1-0","lostTo":"9-0","reason":"retention"}\n\n');
    await settle();
    expect(r.resets).toEqual([{ channel: 'a', lostFrom: '1-0', lostTo: '9-0', reason: 'retention' }]);
  });

  it('backs off with growing ceilings while the server is unreachable or answers 5xx', async () => {
    const { fake, timers, client } = setup();
    client.subscribe('a', () => undefined);
    fake.last().fail();
    await settle();
    timers.runNext();
    fake.last().respond(jsonResponse(503, { error: { code: 'TIDINGS_UNAVAILABLE', message: 'draining' } }));
    await settle();
    timers.runNext();
    fake.last().fail();
    await settle();
    expect(timers.delays).toEqual([50, 100, 200]);
  });

  it('stops on a 4xx and reports the server error', async () => {
    const { fake, timers, client } = setup();
    const r = recorder();
    client.subscribe('a', r.onEvent, r.opts);
    fake.last().respond(jsonResponse(403, { error: { code: 'TIDINGS_SUBSCRIBE_FORBIDDEN', message: 'not yours' } }));
    await settle();
    expect(r.errors[0]).toMatchObject({ code: 'TIDINGS_SUBSCRIBE_FORBIDDEN', status: 403, message: 'not yours' });
    expect(r.states).toEqual(['connecting', 'closed']);
    expect(timers.count).toBe(0);
  });

  it('aborts the stream on close() and reports closed', async () => {
    const { fake, timers, client } = setup();
    const r = recorder();
    const sub = client.subscribe('a', r.onEvent, r.opts);
    const call = fake.last();
    call.respond(sseResponse(call.init?.signal).response);
    await settle();
    sub.close();
    await settle();
    expect(call.aborted).toBe(true);
    expect(r.states).toEqual(['connecting', 'open', 'closed']);
    expect(timers.count).toBe(0);
  });

  it('sends the given since as Last-Event-ID on the first request', () => {
    const { fake, client } = setup();
    client.subscribe('a', () => undefined, { since: 'saved-cursor' });
    expect(fake.last().header('last-event-id')).toBe('saved-cursor');
  });
});

type Listener = (event: unknown) => void;

class FakeEventSource implements EventSourceLike {
  static instances: FakeEventSource[] = [];
  readyState = 0;
  closed = false;
  private readonly listeners = new Map<string, Listener[]>();
  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
  emit(type: string, event: unknown = {}): void {
    for (const l of this.listeners.get(type) ?? []) l(event);
  }
  message(type: string, data: string, lastEventId: string): void {
    this.emit(type, { type, data, lastEventId });
  }
}

describe('SSE transport over the native EventSource', () => {
  function setup(token?: () => string) {
    FakeEventSource.instances = [];
    const fake = new FakeFetch();
    const timers = new ManualTimers();
    const client = createClient({
      url: 'https://edge.test/base/',
      transport: 'sse',
      EventSource: FakeEventSource,
      fetch: fake.fetch,
      timers,
      random: () => 0.5,
      reconnect: { baseMs: 100 },
      ...(token ? { token } : {}),
    });
    return { fake, timers, client, last: () => FakeEventSource.instances.at(-1) as FakeEventSource };
  }

  it('listens for message and reset on a uniform stream that starts from since', () => {
    const { client, last } = setup();
    const r = recorder();
    client.subscribe(['a', 'b/#'], r.onEvent, { ...r.opts, since: 'cur 0' });
    expect(last().url).toBe('https://edge.test/base/v1/sse?channel=a&channel=b%2F%23&uniform=1&lastEventId=cur%200');
    last().emit('open');
    last().message('message', data('b/x', '3-0', 'goal'), 'cur1');
    last().message('reset', JSON.stringify({ channel: 'a', lostFrom: '1-0', lostTo: '2-0', reason: 'retention' }), '');
    expect(r.states).toEqual(['connecting', 'open']);
    expect(r.events).toEqual([{ channel: 'b/x', id: '3-0', event: 'goal', data: '3-0' }]);
    expect(r.resets).toHaveLength(1);
  });

  it("reports connecting while the browser reconnects by itself, and drops the replay's duplicates", () => {
    const { client, last } = setup();
    const r = recorder();
    client.subscribe('a', r.onEvent, r.opts);
    last().emit('open');
    last().message('message', data('a', '1-0'), 'c1');
    last().readyState = 0;
    last().emit('error');
    last().emit('open');
    last().message('message', data('a', '1-0'), 'c1');
    last().message('message', data('a', '2-0'), 'c2');
    expect(r.states).toEqual(['connecting', 'open', 'connecting', 'open']);
    expect(r.events.map((e) => e.id)).toEqual(['1-0', '2-0']);
    expect(FakeEventSource.instances).toHaveLength(1);
  });

  it('after the browser gives up, probes the URL: a 5xx means a new EventSource from the last cursor', async () => {
    const { client, fake, timers, last } = setup();
    const sub = client.subscribe('a', () => undefined);
    last().emit('open');
    last().message('message', data('a', '1-0'), 'c1');
    last().readyState = 2;
    last().emit('error');
    expect(fake.last().url).toContain('lastEventId=c1');
    fake.last().respond(jsonResponse(503, { error: { code: 'TIDINGS_UNAVAILABLE', message: 'busy' } }));
    await settle();
    expect(timers.pendingDelays).toEqual([50]);
    timers.runNext();
    expect(FakeEventSource.instances).toHaveLength(2);
    expect(last().url).toContain('lastEventId=c1');
    expect(sub.cursor).toBe('c1');
  });

  it('after the browser gives up, probes the URL: a 4xx ends the subscription with the server error', async () => {
    const { client, fake, timers, last } = setup();
    const r = recorder();
    client.subscribe('a', r.onEvent, r.opts);
    last().readyState = 2;
    last().emit('error');
    fake.last().respond(jsonResponse(400, { error: { code: 'TIDINGS_CURSOR_INVALID', message: 'bad cursor' } }));
    await settle();
    expect(r.errors[0]).toMatchObject({ code: 'TIDINGS_CURSOR_INVALID', status: 400 });
    expect(r.states.at(-1)).toBe('closed');
    expect(timers.count).toBe(0);
  });

  it('puts the token in the URL (EventSource cannot send headers) and reopens with a fresh one once it expired', async () => {
    let n = 0;
    const { client, fake, timers, last } = setup(() => `t${++n}`);
    const r = recorder();
    client.subscribe('a', r.onEvent, r.opts);
    await settle();
    expect(last().url).toContain('token=t1');
    last().message('message', data('a', '1-0'), 'c1');
    last().readyState = 2; // the server ended the stream (token-expired) and refused the browser's retry
    last().emit('error');
    fake.last().respond(jsonResponse(401, { error: { code: 'TIDINGS_TOKEN_EXPIRED', message: 'expired' } }));
    await settle();
    timers.runNext();
    await settle();
    expect(FakeEventSource.instances).toHaveLength(2);
    expect(last().url).toContain('lastEventId=c1&token=t2');
    expect(r.errors).toEqual([]);
  });

  it('closes the EventSource on close()', () => {
    const { client, last } = setup();
    const sub = client.subscribe('a', () => undefined);
    sub.close();
    expect(last().closed).toBe(true);
  });
});
