import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseBatchBody, parsePublishBody } from './publish-request.js';
import { catchTidings, channelArb, expectOnlyTidingsErrors, nastyStringArb } from './spec-support/arbitraries.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const json = (v: unknown) => utf8(JSON.stringify(v));
const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';
const batchLimits = { maxJsonDepth: 32, maxBatch: 3 };

describe('parsePublishBody with a JSON content type', () => {
  it.each([
    ['data only', { data: 'hi' }, { event: 'message', data: 'hi', ack: false }],
    ['any JSON data', { data: { a: [1, null] } }, { event: 'message', data: { a: [1, null] }, ack: false }],
    ['null data', { data: null }, { event: 'message', data: null, ack: false }],
    [
      'every field',
      { event: 'order.created', data: 1, ack: true, idempotencyKey: 'k-1' },
      { event: 'order.created', data: 1, ack: true, idempotencyKey: 'k-1' },
    ],
  ])('accepts %s', (_label, body, expected) => {
    expect(parsePublishBody(json(body), JSON_TYPE)).toEqual(expected);
  });

  it.each(['application/json; charset=utf-8', 'Application/JSON', 'application/vnd.api+json'])(
    'treats %j as JSON',
    (contentType) => {
      expect(catchTidings(() => parsePublishBody(utf8('hi'), contentType)).code).toBe('TIDINGS_BODY_INVALID');
    },
  );

  it.each([
    ['an empty body', utf8(''), 'TIDINGS_BODY_INVALID', /body is empty/],
    ['text', utf8('hi'), 'TIDINGS_BODY_INVALID', /not valid JSON/],
    ['an array', json([1]), 'TIDINGS_BODY_INVALID', /must be a JSON object/],
    ['a string', json('hi'), 'TIDINGS_BODY_INVALID', /must be a JSON object/],
    ['no data', json({ event: 'x' }), 'TIDINGS_BODY_INVALID', /^data: is required/],
    ['an unknown key', json({ data: 1, channel: 'a' }), 'TIDINGS_BODY_INVALID', /unknown key "channel"/],
    ['a string ack', json({ data: 1, ack: 'yes' }), 'TIDINGS_BODY_INVALID', /^ack: must be true or false/],
    ['a bad event name', json({ data: 1, event: 'a b' }), 'TIDINGS_EVENT_NAME_INVALID', /^event: /],
    ['a null event name', json({ data: 1, event: null }), 'TIDINGS_EVENT_NAME_INVALID', /^event: /],
    ['a bad idempotency key', json({ data: 1, idempotencyKey: '' }), 'TIDINGS_IDEMPOTENCY_KEY_INVALID', /^idempotencyKey: /],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), 'TIDINGS_BODY_INVALID', /UTF-8/],
  ])('rejects %s', (_label, body, code, why) => {
    const e = catchTidings(() => parsePublishBody(body, JSON_TYPE));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(why);
  });

  it('applies the depth limit', () => {
    expect(catchTidings(() => parsePublishBody(utf8('{"data":[[1]]}'), JSON_TYPE, { maxJsonDepth: 2 })).message).toMatch(/nested deeper/);
  });

  it('round-trips any valid envelope', () => {
    const envelopeArb = fc.record(
      {
        event: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/),
        data: fc.jsonValue({ maxDepth: 5 }),
        ack: fc.boolean(),
        idempotencyKey: fc.stringMatching(/^[A-Za-z0-9_.:@/+=-]{1,128}$/),
      },
      { requiredKeys: ['data'] },
    );
    fc.assert(
      fc.property(envelopeArb, (envelope) => {
        const normalised = JSON.parse(JSON.stringify(envelope)) as Record<string, unknown>;
        expect(parsePublishBody(json(envelope), JSON_TYPE)).toEqual({ event: 'message', ack: false, ...normalised });
      }),
    );
  });
});

describe('parsePublishBody with another or no content type (curl -d)', () => {
  it.each([
    ['text', 'hi', { event: 'message', data: 'hi', ack: false }],
    ['form-encoded text, kept as sent', 'a=b&c=d', { event: 'message', data: 'a=b&c=d', ack: false }],
    ['a number, as text', '42', { event: 'message', data: '42', ack: false }],
    ['JSON without a data key, as text', '{"x":1}', { event: 'message', data: '{"x":1}', ack: false }],
    ['broken JSON, as text', '{"data":', { event: 'message', data: '{"data":', ack: false }],
    ['an envelope', ' {"data":{"a":1},"event":"e","ack":true}', { event: 'e', data: { a: 1 }, ack: true }],
    ['text with a byte-order mark, which is dropped', '\uFEFFhi', { event: 'message', data: 'hi', ack: false }],
    ['multi-line unicode text', 'héllo\r\nwörld', { event: 'message', data: 'héllo\r\nwörld', ack: false }],
  ])('takes %s', (_label, body, expected) => {
    expect(parsePublishBody(utf8(body), FORM_TYPE)).toEqual(expected);
    expect(parsePublishBody(utf8(body), undefined)).toEqual(expected);
  });

  it.each([
    ['an empty body', new Uint8Array(), /body is empty/],
    ['invalid UTF-8', new Uint8Array([0x68, 0xff]), /not valid UTF-8/],
    ['an envelope with an unknown key', utf8('{"data":1,"x":2}'), /unknown key "x"/],
    ['an envelope with a bad ack', utf8('{"data":1,"ack":1}'), /ack: must be true or false/],
  ])('rejects %s', (_label, body, why) => {
    const e = catchTidings(() => parsePublishBody(body, FORM_TYPE));
    expect(e.code).toBe('TIDINGS_BODY_INVALID');
    expect(e.message).toMatch(why);
  });

  it('keeps any text body that is not an envelope exactly as sent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), (text) => {
        fc.pre(!text.trimStart().startsWith('{'));
        expect(parsePublishBody(utf8(text), 'text/plain')).toEqual({ event: 'message', data: text, ack: false });
      }),
    );
  });

  it('throws only TidingsErrors on arbitrary bodies and content types', () => {
    const typeArb = fc.option(fc.oneof(fc.constantFrom(JSON_TYPE, FORM_TYPE, 'text/plain'), fc.string()), { nil: undefined });
    const bodyArb = fc.oneof(fc.uint8Array({ maxLength: 64 }), nastyStringArb.map(utf8), fc.jsonValue().map(json));
    fc.assert(fc.property(bodyArb, typeArb, (body, type) => expectOnlyTidingsErrors(() => parsePublishBody(body, type))));
  });
});

describe('parseBatchBody', () => {
  it('validates every item and returns them in order', () => {
    const body = json({
      events: [
        { channel: 'news/sport', data: 'goal' },
        { channel: 'chat/1', event: 'msg', data: { t: 'hi' }, ack: true, idempotencyKey: 'k' },
      ],
    });
    expect(parseBatchBody(body, batchLimits)).toEqual([
      { channel: 'news/sport', event: 'message', data: 'goal', ack: false },
      { channel: 'chat/1', event: 'msg', data: { t: 'hi' }, ack: true, idempotencyKey: 'k' },
    ]);
  });

  it.each([
    ['not JSON', utf8('nope'), 'TIDINGS_BODY_INVALID', /not valid JSON/],
    ['an array', json([]), 'TIDINGS_BATCH_INVALID', /must be a JSON object/],
    ['no events', json({}), 'TIDINGS_BATCH_INVALID', /^events: must be an array/],
    ['an unknown key', json({ events: [], x: 1 }), 'TIDINGS_BATCH_INVALID', /unknown key "x"/],
    ['no items', json({ events: [] }), 'TIDINGS_BATCH_INVALID', /at least one/],
    ['too many items', json({ events: [1, 2, 3, 4].map(() => ({ channel: 'a', data: 1 })) }), 'TIDINGS_BATCH_INVALID', /holds 4 events; at most 3/],
    ['a non-object item', json({ events: [{ channel: 'a', data: 1 }, 'x'] }), 'TIDINGS_BATCH_INVALID', /^events\[1\]: must be a JSON object/],
    ['an item without channel', json({ events: [{ data: 1 }] }), 'TIDINGS_BATCH_INVALID', /^events\[0\]\.channel: is required/],
    ['an item without data', json({ events: [{ channel: 'a' }] }), 'TIDINGS_BATCH_INVALID', /^events\[0\]\.data: is required/],
    ['a numeric channel', json({ events: [{ channel: 7, data: 1 }] }), 'TIDINGS_BATCH_INVALID', /^events\[0\]\.channel: must be a string/],
    ['a bad channel', json({ events: [{ channel: 'a', data: 1 }, { channel: 'a//b', data: 1 }] }), 'TIDINGS_CHANNEL_INVALID', /^events\[1\]\.channel: /],
    ['a pattern channel', json({ events: [{ channel: 'a/+', data: 1 }] }), 'TIDINGS_CHANNEL_INVALID', /only allowed in subscriptions/],
    ['a bad event', json({ events: [{ channel: 'a', data: 1, event: '' }] }), 'TIDINGS_EVENT_NAME_INVALID', /^events\[0\]\.event: /],
    ['a bad ack', json({ events: [{ channel: 'a', data: 1, ack: 0 }] }), 'TIDINGS_BATCH_INVALID', /^events\[0\]\.ack: /],
    ['an unknown item key', json({ events: [{ channel: 'a', data: 1, x: 1 }] }), 'TIDINGS_BATCH_INVALID', /^events\[0\]: unknown key "x"/],
  ])('rejects %s', (_label, body, code, why) => {
    const e = catchTidings(() => parseBatchBody(body, batchLimits));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(why);
  });

  it('round-trips any valid batch', () => {
    const itemArb = fc.record({ channel: channelArb(), data: fc.jsonValue({ maxDepth: 3 }), ack: fc.boolean() });
    fc.assert(
      fc.property(fc.array(itemArb, { minLength: 1, maxLength: 3 }), (events) => {
        const expected = (JSON.parse(JSON.stringify(events)) as object[]).map((e) => ({ event: 'message', ...e }));
        expect(parseBatchBody(json({ events }), batchLimits)).toEqual(expected);
      }),
    );
  });

  it('throws only TidingsErrors on arbitrary bodies', () => {
    const bodyArb = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.jsonValue().map(json),
      fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }).map((events) => json({ events })),
    );
    fc.assert(fc.property(bodyArb, (body) => expectOnlyTidingsErrors(() => parseBatchBody(body, batchLimits))));
  });
});
