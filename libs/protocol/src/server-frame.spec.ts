import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { JsonValue } from './json-value.js';
import { encodeEventFrame, encodeServerFrame, type ServerFrame } from './server-frame.js';
import { channelArb, nastyStringArb, patternArb, streamIdArb } from './spec-support/arbitraries.js';

describe('encodeServerFrame', () => {
  it.each<[string, ServerFrame]>([
    ['event', { type: 'event', channel: 'a', id: '1-0', event: 'message', data: { x: 1 } }],
    ['subscribed', { type: 'subscribed', channel: 'news/+', cursor: 'MQowLjA', ref: 7 }],
    ['unsubscribed', { type: 'unsubscribed', channel: 'a' }],
    ['reset', { type: 'reset', channel: 'a', subscription: 'a/#', lostFrom: '1-0', lostTo: '9-0', reason: 'retention' }],
    ['published', { type: 'published', channel: 'a', id: '2-0', ref: 'r' }],
    ['error', { type: 'error', code: 'TIDINGS_CHANNEL_INVALID', message: 'channel: is empty', ref: 1 }],
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

  it('gives exactly what encodeServerFrame gives for the parsed data, on one line', () => {
    fc.assert(
      fc.property(
        channelArb(),
        streamIdArb,
        nastyStringArb,
        fc.jsonValue(),
        fc.option(patternArb(), { nil: undefined }),
        (channel, id, event, data, subscription) => {
          const dataJson = JSON.stringify(data);
          const expected = encodeServerFrame({
            type: 'event',
            channel,
            id,
            event,
            data: JSON.parse(dataJson) as JsonValue,
            ...(subscription === undefined ? {} : { subscription }),
          });
          const encoded = encodeEventFrame(channel, id, event, dataJson, subscription);
          expect(encoded).toBe(expected);
          expect(encoded).not.toMatch(/[\r\n]/);
        },
      ),
    );
  });
});
