import { describe, it, expect } from 'vitest';
import { ERRORS, TidingsError, errorBody, isErrorCode, isTidingsError, type ErrorCode } from './errors.js';

const required: [ErrorCode, number][] = [
  ['TIDINGS_CHANNEL_INVALID', 400],
  ['TIDINGS_PATTERN_INVALID', 400],
  ['TIDINGS_CURSOR_INVALID', 400],
  ['TIDINGS_QUERY_INVALID', 400],
  ['TIDINGS_BODY_INVALID', 400],
  ['TIDINGS_BODY_TOO_LARGE', 413],
  ['TIDINGS_EVENT_NAME_INVALID', 400],
  ['TIDINGS_IDEMPOTENCY_KEY_INVALID', 400],
  ['TIDINGS_BATCH_INVALID', 400],
  ['TIDINGS_TOO_MANY_CHANNELS', 400],
  ['TIDINGS_FRAME_INVALID', 400],
  ['TIDINGS_FRAME_UNKNOWN_TYPE', 400],
  ['TIDINGS_EVENT_ID_INVALID', 400],
  ['TIDINGS_NOT_SUBSCRIBED', 400],
  ['TIDINGS_UNAUTHORIZED', 401],
  ['TIDINGS_PUBLISH_FORBIDDEN', 403],
  ['TIDINGS_SUBSCRIBE_FORBIDDEN', 403],
  ['TIDINGS_NOT_FOUND', 404],
  ['TIDINGS_METHOD_NOT_ALLOWED', 405],
  ['TIDINGS_SLOW_CONSUMER', 429],
  ['TIDINGS_INTERNAL', 500],
  ['TIDINGS_NOT_IMPLEMENTED', 501],
  ['TIDINGS_UNAVAILABLE', 503],
];

describe('ERRORS', () => {
  it.each(required)('%s has HTTP status %i', (code, status) => {
    expect(ERRORS[code].status).toBe(status);
  });

  it('names every code TIDINGS_<WHAT> or TIDINGS_<AREA>_<WHAT> with a 4xx/5xx status and a default message', () => {
    for (const [code, { status, message }] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^TIDINGS_[A-Z]+(_[A-Z]+)*$/);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
      expect(message.length).toBeGreaterThan(0);
    }
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(ERRORS)).toBe(true);
    expect(Object.isFrozen(ERRORS.TIDINGS_INTERNAL)).toBe(true);
  });
});

describe('TidingsError', () => {
  it('carries the code, its HTTP status and the table message by default', () => {
    const e = new TidingsError('TIDINGS_BODY_TOO_LARGE');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('TidingsError');
    expect(e.code).toBe('TIDINGS_BODY_TOO_LARGE');
    expect(e.status).toBe(413);
    expect(e.message).toBe(ERRORS.TIDINGS_BODY_TOO_LARGE.message);
  });

  it('takes a specific message and a cause', () => {
    const cause = new Error('root');
    const e = new TidingsError('TIDINGS_CHANNEL_INVALID', 'channel is empty', { cause });
    expect(e.message).toBe('channel is empty');
    expect(e.cause).toBe(cause);
  });
});

describe('errorBody', () => {
  it('is the JSON error shape of the public contract', () => {
    expect(errorBody('TIDINGS_NOT_FOUND')).toEqual({
      error: { code: 'TIDINGS_NOT_FOUND', message: ERRORS.TIDINGS_NOT_FOUND.message },
    });
    expect(errorBody('TIDINGS_QUERY_INVALID', 'timeout: must be 0-60')).toEqual({
      error: { code: 'TIDINGS_QUERY_INVALID', message: 'timeout: must be 0-60' },
    });
  });
});

describe('isTidingsError', () => {
  const lookalike = Object.assign(new Error('x'), { name: 'TidingsError', code: 'TIDINGS_INTERNAL', status: 500 });

  it.each([
    ['a TidingsError', new TidingsError('TIDINGS_INTERNAL'), true],
    ['one from another copy of this package', lookalike, true],
    ['a plain Error', new Error('x'), false],
    ['a lookalike with an unknown code', Object.assign(new Error('x'), { name: 'TidingsError', code: 'NOPE', status: 500 }), false],
    ['a lookalike with the wrong status', Object.assign(new Error('x'), { name: 'TidingsError', code: 'TIDINGS_INTERNAL', status: 400 }), false],
    ['a plain object', { name: 'TidingsError', code: 'TIDINGS_INTERNAL', status: 500 }, false],
    ['undefined', undefined, false],
  ])('recognises %s: %s', (_label, value, expected) => {
    expect(isTidingsError(value)).toBe(expected);
  });
});

describe('isErrorCode', () => {
  it.each([
    ['TIDINGS_INTERNAL', true],
    ['TIDINGS_NOPE', false],
    ['toString', false],
    ['__proto__', false],
    [42, false],
  ])('%s → %s', (value, expected) => {
    expect(isErrorCode(value)).toBe(expected);
  });
});
