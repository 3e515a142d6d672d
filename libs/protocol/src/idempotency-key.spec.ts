import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { isIdempotencyKey, parseIdempotencyKey } from './idempotency-key.js';
import { catchTidings, expectOnlyTidingsErrors, nastyStringArb } from './spec-support/arbitraries.js';

describe('idempotency keys', () => {
  it.each([
    '3f2b8c1e-5a4d-4c1b-9f7e-2d6a8b0c4e1f',
    'order:42@shop',
    'aGVsbG8+d29ybGQ/Zm9v=',
    'k',
    'k'.repeat(128),
  ])('accepts %j', (key) => {
    expect(parseIdempotencyKey(key)).toBe(key);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(129)],
    ['a space', 'a b'],
    ['a brace (would break Redis hash tags)', 'a{b}'],
    ['a newline', 'a\n'],
    ['a number', 7],
  ])('rejects %s with TIDINGS_IDEMPOTENCY_KEY_INVALID', (_label, key) => {
    expect(isIdempotencyKey(key)).toBe(false);
    expect(catchTidings(() => parseIdempotencyKey(key)).code).toBe('TIDINGS_IDEMPOTENCY_KEY_INVALID');
  });

  it('throws only TidingsErrors on arbitrary strings', () => {
    fc.assert(fc.property(nastyStringArb, (s) => expectOnlyTidingsErrors(() => parseIdempotencyKey(s))));
  });
});
