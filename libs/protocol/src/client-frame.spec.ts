import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseClientFrame } from './client-frame.js';
import { encodeCursor } from './cursor.js';
import {
  catchTidings,
  channelArb,
  expectOnlyTidingsErrors,
  nastyStringArb,
  patternArb,
  streamIdArb,
} from './spec-support/arbitraries.js';

const cursor = encodeCursor({ floor: '0-0', positions: new Map([['news/sport', '1700000000000-3']]) });
const frame = (v: unknown) => JSON.stringify(v);

describe('parseClientFrame', () => {
  it.each([
    ['subscribe', { type: 'subscribe', channel: 'news/sport' }, { type: 'subscribe', channel: 'news/sport' }],
    ['subscribe to a pattern', { type: 'subscribe', channel: 'news/+/sport', ref: 1 }, { type: 'subscribe', channel: 'news/+/sport', ref: 1 }],
    ['auth', { type: 'auth', token: 'a.b.c', ref: 2 }, { type: 'auth', token: 'a.b.c', ref: 2 }],
    ['subscribe with join and leave events', { type: 'subscribe', channel: 'room/1', presence: true }, { type: 'subscribe', channel: 'room/1', presence: true }],
    ['subscribe since a stream id', { type: 'subscribe', channel: 'a', since: '17-0' }, { type: 'subscribe', channel: 'a', since: '17-0' }],
    ['subscribe since a cursor', { type: 'subscribe', channel: '#', since: cursor }, { type: 'subscribe', channel: '#', since: cursor }],
    ['subscribe since 0, the oldest retained event', { type: 'subscribe', channel: 'a', since: '0' }, { type: 'subscribe', channel: 'a', since: '0-0' }],
    ['unsubscribe', { type: 'unsubscribe', channel: 'a/#', ref: 'r1' }, { type: 'unsubscribe', channel: 'a/#', ref: 'r1' }],
    ['ack, status defaulting to received', { type: 'ack', channel: 'a', id: '5-1' }, { type: 'ack', channel: 'a', id: '5-1', status: 'received' }],
    [
      'ack with status and detail',
      { type: 'ack', channel: 'a', id: '5-1', status: 'failed', detail: 'disk full', ref: -3 },
      { type: 'ack', channel: 'a', id: '5-1', status: 'failed', detail: 'disk full', ref: -3 },
    ],
    [
      'publish with defaults',
      { type: 'publish', channel: 'a', data: { x: 1 } },
      { type: 'publish', channel: 'a', event: 'message', data: { x: 1 }, ack: false },
    ],
    [
      'publish with every field',
      { type: 'publish', channel: 'a', event: 'e', data: null, ack: true, idempotencyKey: 'k', ref: 'p' },
      { type: 'publish', channel: 'a', event: 'e', data: null, ack: true, idempotencyKey: 'k', ref: 'p' },
    ],
    ['ping', { type: 'ping' }, { type: 'ping' }],
    ['ping with a ref', { type: 'ping', ref: 'x'.repeat(64) }, { type: 'ping', ref: 'x'.repeat(64) }],
  ])('parses %s', (_label, input, expected) => {
    expect(parseClientFrame(frame(input))).toEqual(expected);
  });

  it.each([
    ['not JSON', 'subscribe a', 'TIDINGS_FRAME_INVALID', /^frame is not valid JSON/],
    ['not an object', '[]', 'TIDINGS_FRAME_INVALID', /must be a JSON object/],
    ['no type', frame({ channel: 'a' }), 'TIDINGS_FRAME_INVALID', /^type: is required/],
    ['a numeric type', frame({ type: 1 }), 'TIDINGS_FRAME_INVALID', /^type: must be a string/],
    ['an unknown type', frame({ type: 'publishh' }), 'TIDINGS_FRAME_UNKNOWN_TYPE', /"publishh"/],
    ['an unknown key', frame({ type: 'ping', extra: 1 }), 'TIDINGS_FRAME_INVALID', /unknown key "extra"/],
    ['a missing channel', frame({ type: 'subscribe' }), 'TIDINGS_FRAME_INVALID', /^channel: is required/],
    ['a numeric channel', frame({ type: 'subscribe', channel: 1 }), 'TIDINGS_FRAME_INVALID', /^channel: must be a string/],
    ['an invalid channel', frame({ type: 'subscribe', channel: 'a//b' }), 'TIDINGS_CHANNEL_INVALID', /^channel: /],
    ['a misplaced wildcard', frame({ type: 'subscribe', channel: 'a/#/b' }), 'TIDINGS_PATTERN_INVALID', /^channel: /],
    ['a bad since', frame({ type: 'subscribe', channel: 'a', since: '01-0' }), 'TIDINGS_CURSOR_INVALID', /^since: /],
    ['a corrupt cursor', frame({ type: 'subscribe', channel: 'a', since: 'MQowLjB' }), 'TIDINGS_CURSOR_INVALID', /^since: /],
    ['a numeric since', frame({ type: 'subscribe', channel: 'a', since: 5 }), 'TIDINGS_FRAME_INVALID', /^since: must be a string/],
    ['an empty token', frame({ type: 'auth', token: '' }), 'TIDINGS_FRAME_INVALID', /^token: must be 1-8192/],
    ['a huge token', frame({ type: 'auth', token: 'x'.repeat(8193) }), 'TIDINGS_FRAME_INVALID', /^token: must be 1-8192/],
    ['a non-boolean presence', frame({ type: 'subscribe', channel: 'a', presence: 1 }), 'TIDINGS_FRAME_INVALID', /^presence: must be true or false/],
    ['presence on a pattern', frame({ type: 'subscribe', channel: 'a/#', presence: true }), 'TIDINGS_FRAME_INVALID', /^presence: .*exact channels/],
    ['a long ref', frame({ type: 'ping', ref: 'x'.repeat(65) }), 'TIDINGS_FRAME_INVALID', /^ref: /],
    ['a fractional ref', frame({ type: 'ping', ref: 1.5 }), 'TIDINGS_FRAME_INVALID', /^ref: /],
    ['an object ref', frame({ type: 'ping', ref: {} }), 'TIDINGS_FRAME_INVALID', /^ref: /],
    ['a pattern in ack', frame({ type: 'ack', channel: 'a/+', id: '1-0' }), 'TIDINGS_CHANNEL_INVALID', /^channel: /],
    ['a bad ack id', frame({ type: 'ack', channel: 'a', id: '1' }), 'TIDINGS_EVENT_ID_INVALID', /^id: /],
    ['a bad ack status', frame({ type: 'ack', channel: 'a', id: '1-0', status: 'done' }), 'TIDINGS_FRAME_INVALID', /^status: must be one of/],
    ['a long ack detail', frame({ type: 'ack', channel: 'a', id: '1-0', detail: 'x'.repeat(1025) }), 'TIDINGS_FRAME_INVALID', /^detail: /],
    ['a pattern in publish', frame({ type: 'publish', channel: '#', data: 1 }), 'TIDINGS_CHANNEL_INVALID', /^channel: /],
    ['publish without data', frame({ type: 'publish', channel: 'a' }), 'TIDINGS_FRAME_INVALID', /^data: is required/],
    ['publish with a bad event', frame({ type: 'publish', channel: 'a', data: 1, event: '' }), 'TIDINGS_EVENT_NAME_INVALID', /^event: /],
    ['publish with a bad ack', frame({ type: 'publish', channel: 'a', data: 1, ack: 'no' }), 'TIDINGS_FRAME_INVALID', /^ack: /],
    ['nesting past the limit', frame({ type: 'publish', channel: 'a', data: [[[]]] }), 'TIDINGS_FRAME_INVALID', /nested deeper/],
  ])('rejects %s', (_label, text, code, why) => {
    const e = catchTidings(() => parseClientFrame(text, { maxJsonDepth: 3 }));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(why);
  });

  it('round-trips generated valid frames', () => {
    const ref = fc.option(fc.oneof(fc.string({ maxLength: 64 }), fc.integer()), { nil: undefined });
    const frameArb = fc.oneof(
      fc.record({ type: fc.constant('subscribe'), channel: patternArb(), since: fc.option(streamIdArb, { nil: undefined }), ref }),
      fc.record({ type: fc.constant('unsubscribe'), channel: patternArb(), ref }),
      fc.record({ type: fc.constant('ack'), channel: channelArb(), id: streamIdArb, status: fc.constantFrom('received', 'processed', 'failed'), ref }),
      fc.record({ type: fc.constant('publish'), channel: channelArb(), event: fc.constant('e'), data: fc.jsonValue({ maxDepth: 4 }), ack: fc.boolean(), ref }),
      fc.record({ type: fc.constant('ping'), ref }),
    );
    fc.assert(
      fc.property(frameArb, (f) => {
        const text = JSON.stringify(f);
        expect(parseClientFrame(text)).toEqual(JSON.parse(text));
      }),
    );
  });

  it('throws only TidingsErrors on arbitrary text', () => {
    const objectish = fc
      .record({ type: fc.constantFrom('subscribe', 'unsubscribe', 'ack', 'publish', 'ping', 'x'), channel: fc.oneof(nastyStringArb, patternArb()) }, { requiredKeys: [] })
      .chain((base) => fc.dictionary(fc.constantFrom('since', 'id', 'status', 'detail', 'data', 'event', 'ack', 'ref'), fc.jsonValue({ maxDepth: 2 })).map((rest) => ({ ...base, ...rest })))
      .map(frame);
    fc.assert(fc.property(fc.oneof(nastyStringArb, objectish), (text) => expectOnlyTidingsErrors(() => parseClientFrame(text))));
  });
});
