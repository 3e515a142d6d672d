// fast-check generators shared by the spec files (excluded from the build).
import fc from 'fast-check';
import { expect } from 'vitest';
import { isTidingsError } from '../errors.js';

const LEVEL_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.:@';

/** A channel level; `small` draws from a tiny alphabet so patterns and channels collide often. */
export function levelArb(small = false): fc.Arbitrary<string> {
  if (small) return fc.constantFrom('a', 'b', 'c');
  return fc.string({ unit: fc.constantFrom(...LEVEL_CHARS), minLength: 1, maxLength: 12 });
}

export function channelArb(small = false): fc.Arbitrary<string> {
  return fc
    .array(levelArb(small), { minLength: 1, maxLength: small ? 4 : 6 })
    .map((levels) => levels.join('/'))
    .filter((c) => c.length <= 200);
}

/** Valid subscriptions: exact channels and wildcard patterns. */
export function patternArb(small = false): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.array(fc.oneof(levelArb(small), fc.constant('+')), { minLength: 0, maxLength: small ? 4 : 6 }),
      fc.boolean(),
    )
    .map(([levels, hash]) => (hash ? [...levels, '#'] : levels))
    .filter((levels) => levels.length > 0)
    .map((levels) => levels.join('/'))
    .filter((p) => p.length <= 200);
}

export const idPartArb = fc.oneof(
  fc.integer({ min: 0, max: 20 }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.constant(Number.MAX_SAFE_INTEGER),
);

export const streamIdArb = fc.tuple(idPartArb, idPartArb).map(([ms, seq]) => `${ms}-${seq}`);

/** Strings rich in the characters that break line-based and JSON-based formats. */
export const nastyStringArb = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('a', ' ', ':', '\r', '\n', '\r\n', '\0', '\uFEFF', 'é', '\ud800', '"', '\\', '{', '/') }),
);

/** Runs `fn`, asserting that whatever it throws is a TidingsError. */
export function expectOnlyTidingsErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(isTidingsError(e), `threw a non-TidingsError: ${String(e)}`).toBe(true);
  }
}

/** Runs `fn`, expecting a TidingsError with `code`; returns it for further checks. */
export function catchTidings(fn: () => unknown): { code: string; status: number; message: string } {
  try {
    fn();
  } catch (e) {
    if (isTidingsError(e)) return e;
    throw e;
  }
  throw new Error('expected a TidingsError, nothing was thrown');
}
