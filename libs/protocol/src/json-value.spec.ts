import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_BODY_LIMITS, decodeUtf8Strict, isJsonObject, parseJsonStrict, parseJsonText } from './json-value.js';
import { catchTidings, expectOnlyTidingsErrors, nastyStringArb } from './spec-support/arbitraries.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('parseJsonStrict', () => {
  it.each([
    ['an object', '{"data":"hi"}', { data: 'hi' }],
    ['a string', '"hi"', 'hi'],
    ['null', 'null', null],
    ['a number', ' 42 ', 42],
    ['unicode', '"é😀"', 'é😀'],
    ['a leading byte-order mark', '\uFEFF{"a":1}', { a: 1 }],
    ['an own __proto__ key, kept as data', '{"__proto__":{"x":1}}', JSON.parse('{"__proto__":{"x":1}}')],
    ['nesting at the limit', nested(DEFAULT_BODY_LIMITS.maxJsonDepth), JSON.parse(nested(DEFAULT_BODY_LIMITS.maxJsonDepth))],
  ])('accepts %s', (_label, text, expected) => {
    expect(parseJsonStrict(utf8(text))).toEqual(expected);
  });

  it.each([
    ['empty', new Uint8Array(), /not valid JSON/],
    ['bad JSON', utf8('{data: 1}'), /not valid JSON/],
    ['trailing garbage', utf8('{} x'), /not valid JSON/],
    ['invalid UTF-8', new Uint8Array([0x22, 0xff, 0x22]), /not valid UTF-8/],
    ['an overlong encoding', new Uint8Array([0x22, 0xc0, 0x80, 0x22]), /not valid UTF-8/],
    ['an encoded surrogate', new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]), /not valid UTF-8/],
    ['a truncated sequence', new Uint8Array([0x22, 0xe2, 0x82]), /not valid UTF-8/],
    ['nesting past the limit', utf8(nested(DEFAULT_BODY_LIMITS.maxJsonDepth + 1)), /nested deeper than 32 levels/],
    ['hostile nesting', utf8(nested(200_000)), /nested deeper/],
    ['a number that overflows to Infinity', utf8('{"data":1e400}'), /number too large/],
  ])('rejects %s with TIDINGS_BODY_INVALID', (_label, body, why) => {
    const e = catchTidings(() => parseJsonStrict(body));
    expect(e.code).toBe('TIDINGS_BODY_INVALID');
    expect(e.message).toMatch(why);
  });

  it('honours a custom depth limit', () => {
    expect(parseJsonStrict(utf8('[[1]]'), { maxJsonDepth: 2 })).toEqual([[1]]);
    expect(catchTidings(() => parseJsonStrict(utf8('[[1]]'), { maxJsonDepth: 1 })).code).toBe('TIDINGS_BODY_INVALID');
  });

  it('round-trips any JSON value within the depth limit', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 10 }), (value) => {
        const text = JSON.stringify(value);
        expect(parseJsonStrict(utf8(text))).toEqual(JSON.parse(text));
      }),
    );
  });

  it('throws only TidingsErrors on arbitrary bytes and strings', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => expectOnlyTidingsErrors(() => parseJsonStrict(bytes))));
    fc.assert(fc.property(nastyStringArb, (s) => expectOnlyTidingsErrors(() => parseJsonStrict(utf8(s)))));
  });
});

describe('parseJsonText', () => {
  it('reports failures under the caller’s code and name', () => {
    const e = catchTidings(() => parseJsonText('nope', DEFAULT_BODY_LIMITS, 'TIDINGS_FRAME_INVALID', 'frame'));
    expect(e.code).toBe('TIDINGS_FRAME_INVALID');
    expect(e.message).toMatch(/^frame is not valid JSON/);
  });
});

describe('decodeUtf8Strict', () => {
  it('decodes valid UTF-8 and refuses the rest', () => {
    expect(decodeUtf8Strict(utf8('héllo'))).toBe('héllo');
    expect(catchTidings(() => decodeUtf8Strict(new Uint8Array([0x80]))).code).toBe('TIDINGS_BODY_INVALID');
  });
});

describe('isJsonObject', () => {
  it.each([
    [{}, true],
    [[], false],
    [null, false],
    ['x', false],
  ])('%j → %s', (value, expected) => {
    expect(isJsonObject(value)).toBe(expected);
  });
});
