import { describe, expect, it } from 'vitest';
import { createClient } from './create-client.js';
import { FakeFetch, jsonResponse } from './spec-support/fake-fetch.js';
import { ManualTimers, settle } from './spec-support/manual-timers.js';
import type { ConnectionState, ResetNotice, TidingsEvent } from './types.js';

function setup() {
  const fake = new FakeFetch();
  const timers = new ManualTimers();
  const client = createClient({
    url: 'http://edge.test',
    transport: 'poll',
    device: 'd1',
    fetch: fake.fetch,
    timers,
    random: () => 0.5,
    reconnect: { baseMs: 100 },
    pollTimeoutSec: 20,
  });
  const events: TidingsEvent[] = [];
  const states: ConnectionState[] = [];
  const resets: ResetNotice[] = [];
  const errors: Error[] = [];
  const opts = { onState: (s: ConnectionState) => states.push(s), onReset: (r: ResetNotice) => resets.push(r), onError: (e: Error) => errors.push(e) };
  return { fake, timers, client, events, states, resets, errors, opts, onEvent: (e: TidingsEvent) => events.push(e) };
}

const ev = (channel: string, id: string) => ({ channel, id, event: 'message', data: id });

describe('long-poll transport', () => {
  it('starts without since, then passes each answer’s cursor to the next request', async () => {
    const t = setup();
    const sub = t.client.subscribe(['a', 'b/+'], t.onEvent, t.opts);
    expect(t.fake.last().url).toBe('http://edge.test/v1/poll?channel=a&channel=b%2F%2B&device=d1&timeout=20');
    t.fake.last().respond(jsonResponse(200, { events: [], resets: [], cursor: 'c0' }));
    await settle();
    expect(t.states).toEqual(['connecting', 'open']);
    expect(t.fake.last().url).toContain('&since=c0');
    t.fake.last().respond(jsonResponse(200, { events: [ev('a', '1-0'), ev('b/x', '2-0')], resets: [], cursor: 'c1' }));
    await settle();
    expect(t.events.map((e) => e.id)).toEqual(['1-0', '2-0']);
    expect(sub.cursor).toBe('c1');
    expect(t.fake.last().url).toContain('&since=c1');
  });

  it('delivers resets before the events that remain, and drops duplicates', async () => {
    const t = setup();
    t.client.subscribe('a', t.onEvent, { ...t.opts, since: 'old' });
    expect(t.fake.last().url).toContain('since=old');
    t.fake.last().respond(
      jsonResponse(200, {
        events: [ev('a', '5-0'), ev('a', '5-0'), ev('a', '6-0')],
        resets: [{ channel: 'a', lostFrom: '1-0', lostTo: '4-0', reason: 'retention' }],
        cursor: 'c1',
      }),
    );
    await settle();
    expect(t.resets).toHaveLength(1);
    expect(t.events.map((e) => e.id)).toEqual(['5-0', '6-0']);
  });

  it('backs off on network errors and 5xx, and resets the backoff after a good answer', async () => {
    const t = setup();
    t.client.subscribe('a', t.onEvent, t.opts);
    t.fake.last().fail();
    await settle();
    t.timers.runNext();
    await settle();
    t.fake.last().respond(jsonResponse(502, {}));
    await settle();
    expect(t.timers.delays.filter((d) => d !== 35_000)).toEqual([50, 100]);
    t.timers.runNext();
    await settle();
    expect(t.fake.calls).toHaveLength(3);
    t.fake.last().respond(jsonResponse(200, { events: [], cursor: 'c' }));
    await settle();
    t.fake.last().fail();
    await settle();
    expect(t.timers.pendingDelays.filter((d) => d !== 35_000)).toEqual([50]);
  });

  it('stops on a 4xx with the server error', async () => {
    const t = setup();
    t.client.subscribe('a', t.onEvent, t.opts);
    t.fake.last().respond(jsonResponse(400, { error: { code: 'TIDINGS_CURSOR_INVALID', message: 'bad' } }));
    await settle();
    expect(t.errors[0]).toMatchObject({ code: 'TIDINGS_CURSOR_INVALID', status: 400 });
    expect(t.states.at(-1)).toBe('closed');
    expect(t.fake.calls).toHaveLength(1);
  });

  it('abandons a request the server never answers after its timeout plus grace, then polls again', async () => {
    const t = setup();
    t.client.subscribe('a', t.onEvent, t.opts);
    expect(t.timers.pendingDelays).toEqual([35_000]);
    t.timers.runNext();
    await settle();
    expect(t.fake.calls[0]?.aborted).toBe(true);
    t.timers.runNext();
    await settle();
    expect(t.fake.calls).toHaveLength(2);
  });

  it('aborts the request in flight on close()', async () => {
    const t = setup();
    const sub = t.client.subscribe('a', t.onEvent, t.opts);
    sub.close();
    await settle();
    expect(t.fake.last().aborted).toBe(true);
    expect(t.states).toEqual(['connecting', 'closed']);
    expect(t.fake.calls).toHaveLength(1);
  });

  it('keeps the previous cursor when a callback closes the subscription halfway through an answer', async () => {
    const t = setup();
    const sub = t.client.subscribe('a', () => sub.close(), { since: 'before' });
    t.fake.last().respond(jsonResponse(200, { events: [ev('a', '1-0'), ev('a', '2-0')], cursor: 'after-both' }));
    await settle();
    expect(sub.cursor).toBe('before');
  });
});
