import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { JsonValue } from './json-value.js';
import { encodeEventFrame, encodeRedeliveryFrame, encodeServerFrame, type ServerFrame } from './server-frame.js';
import { channelArb, nastyStringArb, patternArb, streamIdArb } from './spec-support/arbitraries.js';

describe('encodeServerFrame', () => {
  it.each<[string, ServerFrame]>([
    ['event', { type: 'event', channel: 'a', id: '1-0', event: 'message', data: { x: 1 } }],
    ['subscribed', { type: 'subscribed', channel: 'news/+', cursor: 'MQowLjA', ref: 7 }],
    ['unsubscribed', { type: 'unsubscribed', channel: 'a' }],
    ['reset', { type: 'reset', channel: 'a', subscription: 'a/#', lostFrom: '1-0', lostTo: '9-0', reason: 'retention' }],
    ['published', { type: 'published', channel: 'a', id: '2-0', ref: 'r' }],
    ['error', { type: 'error', code: 'TIDINGS_CHANNEL_INVALID', message: 'channel: is empty', ref: 1 }],
    ['presence', { type: 'presence', channel: 'room/1', device: 'phone', node: 'edge-1', action: 'leave', reason: 'expired' }],
    ['authed', { type: 'authed', device: 'phone', expiresAt: 1_800_000_000_000, ref: 1 }],
    ['pong', { type: 'pong' }],
  ])('writes a %s frame as JSON', (_label, f) => {
    expect(JSON.parse(encodeServerFrame(f))).toEqual(f);
  });
});

describe('encodeEventFrame', () => {
  it('splices pre-serialised data into the event frame', () => {
    expect(encodeEventFrame('news/sport', '1-0', 'goal', '{"score":[1,0]}')).toBe(
      '{"type":"event","channel":"news/sport","id":"1-0","event":"goal","data":{"score":[1,0]}}',
    );
    expect(encodeEventFrame('news/sport', '1-0', 'goal', '"hi"', 'news/#')).toBe(
      '{"type":"event","channel":"news/sport","id":"1-0","event":"goal","data":"hi","subscription":"news/#"}',
    );
  });

  it('marks a redelivered event, so clients keep their position', () => {
    expect(JSON.parse(encodeRedeliveryFrame('orders/1', '5-0', 'ship', '{"n":1}'))).toEqual({
      type: 'event',
      channel: 'orders/1',
      id: '5-0',
      event: 'ship',
      data: { n: 1 },
      ack: true,
      redelivery: true,
    });
  });

  it('gives exactly what encodeServerFrame gives for the parsed data, on one line', () => {
    fc.assert(
      fc.property(
        channelArb(),
        streamIdArb,
        nastyStringArb,
        fc.jsonValue(),
        fc.option(patternArb(), { nil: undefined }),
        fc.boolean(),
        (channel, id, event, data, subscription, ack) => {
          const dataJson = JSON.stringify(data);
          const expected = encodeServerFrame({
            type: 'event',
            channel,
            id,
            event,
            data: JSON.parse(dataJson) as JsonValue,
            ...(subscription === undefined ? {} : { subscription }),
            ...(ack ? { ack: true as const } : {}),
          });
          const encoded = encodeEventFrame(channel, id, event, dataJson, subscription, ack);
          expect(encoded).toBe(expected);
          expect(encoded).not.toMatch(/[\r\n]/);
        },
      ),
    );
  });
});
