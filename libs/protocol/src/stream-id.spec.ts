import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  ZERO_ID,
  compareStreamIds,
  isStreamId,
  maxStreamId,
  minStreamId,
  parseStreamId,
  previousStreamId,
  streamIdMs,
  streamIdParts,
} from './stream-id.js';
import { catchTidings, expectOnlyTidingsErrors, nastyStringArb, streamIdArb } from './spec-support/arbitraries.js';

const MAX = Number.MAX_SAFE_INTEGER;

describe('stream ids', () => {
  it.each(['0-0', '0-1', '1-0', '1700000000000-0', '1700000000000-42', `${MAX}-${MAX}`])('accepts %j', (id) => {
    expect(isStreamId(id)).toBe(true);
    expect(parseStreamId(id)).toBe(id);
  });

  it.each([
    ['empty', ''],
    ['no sequence', '1700000000000'],
    ['a leading zero', '01-0'],
    ['a leading zero in the sequence', '1-00'],
    ['a sign', '-1-0'],
    ['a plus', '+1-0'],
    ['spaces', ' 1-0'],
    ['a Redis special id', '$'],
    ['an incomplete id', '1-'],
    ['a wildcard sequence', '1-*'],
    ['a decimal point', '1.5-0'],
    ['ms past MAX_SAFE_INTEGER', `${MAX + 1}-0`],
    ['seq past MAX_SAFE_INTEGER', `0-${MAX + 1}`],
    ['too many digits', '12345678901234567-0'],
    ['three parts', '1-2-3'],
    ['non-ASCII digits', '１-0'],
  ])('rejects %s with TIDINGS_EVENT_ID_INVALID', (_label, id) => {
    expect(isStreamId(id)).toBe(false);
    expect(catchTidings(() => parseStreamId(id)).code).toBe('TIDINGS_EVENT_ID_INVALID');
  });

  it('has ZERO_ID before every other id', () => {
    expect(ZERO_ID).toBe('0-0');
    fc.assert(fc.property(streamIdArb, (id) => compareStreamIds(ZERO_ID, id) <= 0));
  });

  it('throws only TidingsErrors on arbitrary strings', () => {
    fc.assert(
      fc.property(nastyStringArb, (s) => {
        expectOnlyTidingsErrors(() => parseStreamId(s));
        expectOnlyTidingsErrors(() => compareStreamIds(s, '0-0'));
        expectOnlyTidingsErrors(() => streamIdMs(s));
      }),
    );
  });
});

describe('compareStreamIds', () => {
  it.each([
    ['9-0', '10-0', -1],
    ['1-2', '1-10', -1],
    ['1-10', '1-2', 1],
    ['2-0', '1-999', 1],
    ['5-5', '5-5', 0],
    [`${MAX}-0`, `${MAX - 1}-${MAX}`, 1],
  ])('%s vs %s → %i', (a, b, expected) => {
    expect(compareStreamIds(a, b)).toBe(expected);
  });

  it('orders numerically, by ms then seq', () => {
    fc.assert(
      fc.property(streamIdArb, streamIdArb, (a, b) => {
        const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
        const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
        const expected = am !== bm ? (am < bm ? -1 : 1) : as < bs ? -1 : as > bs ? 1 : 0;
        expect(compareStreamIds(a, b)).toBe(expected);
        expect(compareStreamIds(b, a)).toBe(expected === 0 ? 0 : -expected);
      }),
    );
  });

  it('refuses a non-canonical id rather than guessing', () => {
    expect(catchTidings(() => compareStreamIds('01-0', '1-0')).code).toBe('TIDINGS_EVENT_ID_INVALID');
  });

  it('picks the larger and the smaller id', () => {
    expect(maxStreamId('9-0', '10-0')).toBe('10-0');
    expect(minStreamId('9-0', '10-0')).toBe('9-0');
  });
});

describe('streamIdMs and streamIdParts', () => {
  it('read the parts of an id', () => {
    expect(streamIdMs('1700000000123-7')).toBe(1700000000123);
    expect(streamIdParts('1700000000123-7')).toEqual([1700000000123, 7]);
    expect(streamIdParts('nope')).toBeUndefined();
  });

  it('round-trip through the canonical form', () => {
    fc.assert(
      fc.property(streamIdArb, (id) => {
        const [ms, seq] = streamIdParts(id) ?? [NaN, NaN];
        expect(`${ms}-${seq}`).toBe(id);
        expect(streamIdMs(id)).toBe(ms);
      }),
    );
  });

  it('names the position just before an id', () => {
    expect(previousStreamId('5-3')).toBe('5-2');
    expect(previousStreamId('5-0')).toBe(`4-${Number.MAX_SAFE_INTEGER}`);
    expect(previousStreamId('0-0')).toBe('0-0');
    expect(compareStreamIds(previousStreamId('7-0'), '7-0')).toBe(-1);
    expect(compareStreamIds(previousStreamId('7-0'), '6-99999')).toBe(1);
  });
});
