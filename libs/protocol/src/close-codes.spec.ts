import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CLOSE, shouldReconnect } from './close-codes.js';

describe('CLOSE', () => {
  it('puts resumable Tidings codes in 4000-4499 and terminal ones in 4500-4999', () => {
    expect(CLOSE).toMatchObject({ GOING_AWAY: 1001, UNSUPPORTED_DATA: 1003, MESSAGE_TOO_BIG: 1009, SLOW_CONSUMER: 4001, UNAVAILABLE: 4003, PROTOCOL_ERRORS: 4500 });
    for (const code of [CLOSE.SLOW_CONSUMER, CLOSE.TOKEN_EXPIRED, CLOSE.UNAVAILABLE]) expect(shouldReconnect(code)).toBe(true);
    for (const code of [CLOSE.PROTOCOL_ERRORS, CLOSE.UNAUTHORIZED]) expect(shouldReconnect(code)).toBe(false);
  });
});

describe('shouldReconnect', () => {
  it.each([
    [1000, false, 'normal closure someone asked for'],
    [1001, true, 'going away: node draining'],
    [1002, false, 'protocol error'],
    [1003, false, 'unsupported data'],
    [1005, true, 'no status received'],
    [1006, true, 'abnormal closure: connection dropped'],
    [1007, false, 'invalid payload'],
    [1008, false, 'policy violation'],
    [1009, false, 'message too big'],
    [1011, true, 'internal error'],
    [1012, true, 'service restart'],
    [1013, true, 'try again later'],
    [3000, false, 'a library code we do not know'],
    [4000, true, 'first resumable code'],
    [4499, true, 'last resumable code'],
    [4500, false, 'first terminal code'],
    [4999, false, 'last terminal code'],
    [5000, false, 'outside every range'],
  ])('%i → %s (%s)', (code, expected) => {
    expect(shouldReconnect(code)).toBe(expected);
  });

  it('follows the ranges for every Tidings code', () => {
    fc.assert(fc.property(fc.integer({ min: 4000, max: 4999 }), (code) => shouldReconnect(code) === code < 4500));
  });
});
