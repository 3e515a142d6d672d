import { describe, expect, it } from 'vitest';
import { SubscriptionSink } from './subscription-sink.js';
import type { ConnectionState, TidingsEvent } from './types.js';

function sink() {
  const events: TidingsEvent[] = [];
  const states: ConnectionState[] = [];
  const errors: Error[] = [];
  let closedCalls = 0;
  const s = new SubscriptionSink({
    onEvent: (e) => events.push(e),
    onState: (st) => states.push(st),
    onError: (e) => errors.push(e),
    onClosed: () => closedCalls++,
  });
  return { s, events, states, errors, closedCalls: () => closedCalls };
}

const ev = (id: string, channel = 'a'): TidingsEvent => ({ channel, id, event: 'message', data: null });

describe('SubscriptionSink', () => {
  it('reports each state change once', () => {
    const t = sink();
    t.s.state('connecting');
    t.s.state('connecting');
    t.s.state('open');
    t.s.state('open');
    expect(t.states).toEqual(['connecting', 'open']);
  });

  it('delivers nothing and reports closed exactly once after close()', () => {
    const t = sink();
    t.s.close();
    t.s.close();
    t.s.event(ev('1-0'));
    t.s.state('open');
    t.s.fail(new Error('late'));
    expect(t.states).toEqual(['closed']);
    expect(t.events).toEqual([]);
    expect(t.errors).toEqual([]);
    expect(t.closedCalls()).toBe(1);
  });

  it('fail() reports the error, then closes', () => {
    const t = sink();
    t.s.fail(new Error('forbidden'));
    expect(t.errors.map((e) => e.message)).toEqual(['forbidden']);
    expect(t.states).toEqual(['closed']);
  });

  it('a reset lets the channel start over with smaller ids', () => {
    const t = sink();
    t.s.event(ev('100-0'));
    t.s.event(ev('5-0'));
    t.s.reset({ channel: 'a', lostFrom: '101-0', lostTo: '200-0', reason: 'stream-lost' });
    t.s.event(ev('5-0'));
    expect(t.events.map((e) => e.id)).toEqual(['100-0', '5-0']);
  });

  it('a throwing onState is reported, and the state still counts as reported', () => {
    const errors: Error[] = [];
    const s = new SubscriptionSink({
      onEvent: () => undefined,
      onState: () => {
        throw new Error('ui broke');
      },
      onError: (e) => errors.push(e),
    });
    s.state('open');
    expect(s.currentState).toBe('open');
    expect(errors[0]).toMatchObject({ code: 'TIDINGS_CLIENT_CALLBACK_FAILED' });
  });
});
