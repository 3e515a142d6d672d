import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  CURSOR_MAX_CHANNELS,
  CURSOR_MAX_LENGTH,
  cursorPosition,
  decodeCursor,
  encodeCursor,
  isCursorLike,
  type Cursor,
} from './cursor.js';
import { compareStreamIds, ZERO_ID } from './stream-id.js';
import {
  catchTidings,
  channelArb,
  expectOnlyTidingsErrors,
  nastyStringArb,
  streamIdArb,
} from './spec-support/arbitraries.js';

const cursor = (floor: string, positions: Record<string, string> = {}): Cursor => ({
  floor,
  positions: new Map(Object.entries(positions)),
});
/** The v1 text of a cursor, base64url-encoded the way the format says. */
const v1 = (text: string) => Buffer.from(text, 'latin1').toString('base64url');

const cursorArb = fc
  .record({
    floor: streamIdArb,
    positions: fc.uniqueArray(fc.tuple(channelArb(), streamIdArb), { selector: ([c]) => c, maxLength: 20 }),
  })
  .map(({ floor, positions }): Cursor => ({ floor, positions: new Map(positions) }));

describe('cursor encoding (version 1)', () => {
  it.each([
    ['an empty cursor', cursor(ZERO_ID), 'MQowLjA'],
    ['one channel', cursor(ZERO_ID, { 'news/sport': '1-0' }), v1('1\n0.0\nnews/sport 1.0')],
    [
      'real ids, in base36',
      cursor('1700000000000-0', { 'chat/room-1': '1700000000123-5' }),
      v1('1\nloyw3v28.0\nchat/room-1 loyw3v5n.5'),
    ],
    ['channels sorted', cursor(ZERO_ID, { b: '2-0', a: '1-0' }), v1('1\n0.0\na 1.0\nb 2.0')],
  ])('encodes %s', (_label, c, encoded) => {
    expect(encodeCursor(c)).toBe(encoded);
    expect(decodeCursor(encoded)).toEqual(c);
  });

  it.each([
    ['empty', ''],
    ['too long', `M${'A'.repeat(CURSOR_MAX_LENGTH)}`],
    ['not base64url', 'MQow+jA'],
    ['padded', 'MQowLjA='],
    ['not canonical base64url', 'MQowLjB'],
    ['an unknown version', v1('2\n0.0')],
    ['no version', v1('')],
    ['no floor', v1('1')],
    ['an empty floor', v1('1\n')],
    ['a decimal floor', v1('1\n0-0')],
    ['a floor with a leading zero', v1('1\n00.0')],
    ['an upper-case floor', v1('1\nA.0')],
    ['a floor past MAX_SAFE_INTEGER', v1('1\nzzzzzzzzzzz.0')],
    ['a trailing newline', v1('1\n0.0\n')],
    ['a channel line without id', v1('1\n0.0\na')],
    ['a channel line with two spaces', v1('1\n0.0\na  1.0')],
    ['an invalid channel', v1('1\n0.0\na// 1.0')],
    ['a pattern instead of a channel', v1('1\n0.0\na/+ 1.0')],
    ['a duplicate channel', v1('1\n0.0\na 1.0\na 2.0')],
    ['unsorted channels', v1('1\n0.0\nb 1.0\na 1.0')],
    ['a non-ASCII byte', v1('1\n0.0\n\u00e9 1.0')],
    ['a stream id', '1700000000000-0'],
    [
      'too many channels',
      v1(['1', '0.0', ...Array.from({ length: CURSOR_MAX_CHANNELS + 1 }, (_, i) => `c${String(i).padStart(3, '0')} 1.0`)].join('\n')),
    ],
  ])('rejects %s with TIDINGS_CURSOR_INVALID', (_label, s) => {
    expect(catchTidings(() => decodeCursor(s)).code).toBe('TIDINGS_CURSOR_INVALID');
  });

  it('round-trips any cursor that fits', () => {
    fc.assert(
      fc.property(cursorArb, (c) => {
        const encoded = encodeCursor(c);
        expect(decodeCursor(encoded)).toEqual(c);
        expect(encodeCursor(decodeCursor(encoded))).toBe(encoded);
      }),
    );
  });

  it('only ever emits [A-Za-z0-9_-], safe as an SSE id, a header and a query value', () => {
    fc.assert(
      fc.property(cursorArb, (c) => {
        const encoded = encodeCursor(c);
        expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(encoded.length).toBeLessThanOrEqual(CURSOR_MAX_LENGTH);
        expect(isCursorLike(encoded)).toBe(true);
      }),
    );
  });

  it('throws only TidingsErrors on arbitrary strings', () => {
    const base64ish = fc.string({ unit: fc.constantFrom(...'MQowLjAKYSAxgzZ_-'), maxLength: 64 });
    const textual = fc.array(nastyStringArb, { maxLength: 5 }).map((lines) => v1(['1', ...lines].join('\n')));
    fc.assert(
      fc.property(fc.oneof(nastyStringArb, base64ish, textual), (s) => expectOnlyTidingsErrors(() => decodeCursor(s))),
    );
  });

  it('refuses to encode positions that are not channels and stream ids', () => {
    expect(catchTidings(() => encodeCursor(cursor('01-0'))).code).toBe('TIDINGS_CURSOR_INVALID');
    expect(catchTidings(() => encodeCursor(cursor(ZERO_ID, { 'a/+': '1-0' }))).code).toBe('TIDINGS_CURSOR_INVALID');
    expect(catchTidings(() => encodeCursor(cursor(ZERO_ID, { a: 'x' }))).code).toBe('TIDINGS_CURSOR_INVALID');
  });
});

describe('oversized cursors', () => {
  const longChannel = (i: number) => `${'x'.repeat(180)}/${String(i).padStart(4, '0')}`;

  it('drop the channels with the smallest ids, within both limits', () => {
    const positions: Record<string, string> = {};
    for (let i = 0; i < 100; i++) positions[longChannel(i)] = `${1000 + i}-0`;
    const decoded = decodeCursor(encodeCursor(cursor('500-0', positions)));
    expect(decoded.positions.size).toBeGreaterThan(10);
    expect(decoded.positions.size).toBeLessThan(100);
    expect(decoded.positions.has(longChannel(99))).toBe(true);
    expect(decoded.positions.has(longChannel(0))).toBe(false);
    expect(decoded.floor).toBe('500-0');
  });

  it('keep at most CURSOR_MAX_CHANNELS channels', () => {
    const positions: Record<string, string> = {};
    for (let i = 0; i < 300; i++) positions[`c${i}`] = `${i + 1}-0`;
    const decoded = decodeCursor(encodeCursor(cursor(ZERO_ID, positions)));
    expect(decoded.positions.size).toBe(CURSOR_MAX_CHANNELS);
    expect(decoded.positions.has('c299')).toBe(true);
    expect(decoded.positions.has('c0')).toBe(false);
  });

  it('lower the floor to the oldest dropped position, so nothing is ever skipped', () => {
    const positions: Record<string, string> = { newest: '9000-0' };
    for (let i = 0; i < 300; i++) positions[`c${i}`] = `${5000 + i}-0`;
    const decoded = decodeCursor(encodeCursor(cursor('7000-0', positions)));
    expect(decoded.floor).toBe('5000-0');
  });

  it('never resume any channel later than the original cursor would', () => {
    const bigCursorArb = fc
      .record({
        floor: streamIdArb,
        positions: fc.uniqueArray(fc.tuple(channelArb(), streamIdArb), { selector: ([c]) => c, minLength: 200, maxLength: 400 }),
      })
      .map(({ floor, positions }): Cursor => ({ floor, positions: new Map(positions) }));
    fc.assert(
      fc.property(bigCursorArb, (c) => {
        const encoded = encodeCursor(c);
        expect(encoded.length).toBeLessThanOrEqual(CURSOR_MAX_LENGTH);
        const decoded = decodeCursor(encoded);
        expect(decoded.positions.size).toBeLessThanOrEqual(CURSOR_MAX_CHANNELS);
        expect(compareStreamIds(decoded.floor, c.floor)).toBeLessThanOrEqual(0);
        for (const [channel, id] of c.positions) {
          expect(compareStreamIds(cursorPosition(decoded, channel), id)).toBeLessThanOrEqual(0);
          if (decoded.positions.has(channel)) expect(decoded.positions.get(channel)).toBe(id);
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe('cursorPosition', () => {
  it('is the listed position, else the floor', () => {
    const c = cursor('5-0', { a: '7-1' });
    expect(cursorPosition(c, 'a')).toBe('7-1');
    expect(cursorPosition(c, 'b')).toBe('5-0');
  });
});

describe('isCursorLike', () => {
  it.each([
    ['a cursor', 'MQowLjA', true],
    ['a stream id', '1700000000000-0', false],
    ['the zero id', '0-0', false],
    ['empty', '', false],
    ['standard base64', 'MQ+w', false],
    ['too long', `M${'A'.repeat(CURSOR_MAX_LENGTH)}`, false],
  ])('%s → %s', (_label, s, expected) => {
    expect(isCursorLike(s)).toBe(expected);
  });

  it('never mistakes a stream id for a cursor', () => {
    fc.assert(fc.property(streamIdArb, (id) => !isCursorLike(id)));
  });
});
