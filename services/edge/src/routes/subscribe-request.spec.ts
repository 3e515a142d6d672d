import { decodeCursor, encodeCursor, isTidingsError } from '@tidings/protocol';
import { describe, expect, it } from 'vitest';
import { parseResumePoint, parseSpecs } from './subscribe-request.js';

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    return isTidingsError(error) ? error.code : 'not a TidingsError';
  }
  return undefined;
};

describe('subscribe requests', () => {
  it('reads channels and patterns, dropping repeats', () => {
    expect(parseSpecs(['a', 'news/+', 'a'], 5)).toEqual([
      { kind: 'channel', channel: 'a' },
      { kind: 'pattern', pattern: 'news/+' },
    ]);
  });

  it.each([
    [[], 'TIDINGS_QUERY_INVALID'],
    [['a', 'b', 'c'], 'TIDINGS_TOO_MANY_CHANNELS'],
    [['a b'], 'TIDINGS_CHANNEL_INVALID'],
    [['a/#/b'], 'TIDINGS_PATTERN_INVALID'],
  ])('refuses %j with %s', (values, code) => {
    expect(codeOf(() => parseSpecs(values, 2))).toBe(code);
  });

  it('takes a plain stream id as "after this id" for every exact channel and as the floor', () => {
    const cursor = parseResumePoint('5-1', parseSpecs(['a', 'b/#'], 5));
    expect(cursor).toEqual({ floor: '5-1', positions: new Map([['a', '5-1']]) });
  });

  it('takes an opaque cursor as it is, and nothing as "from now"', () => {
    const encoded = encodeCursor({ floor: '1-0', positions: new Map([['a', '7-0']]) });
    expect(parseResumePoint(encoded, [])).toEqual(decodeCursor(encoded));
    expect(parseResumePoint(undefined, [])).toBeNull();
    expect(parseResumePoint('', [])).toBeNull();
    expect(codeOf(() => parseResumePoint('not a cursor!', []))).toBe('TIDINGS_CURSOR_INVALID');
  });
});
