// Errors name the offending field (`events[3].channel: ...`) so a client can fix its request
// without guessing. Internal helper for the body and frame parsers.
import { TidingsError, isTidingsError, type ErrorCode } from './errors.js';

/** `path.key`, or just `key` at the top level. */
export function fieldPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Runs a field parser, prefixing any TidingsError's message with the field's path. */
export function withFieldPath<T>(path: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (!isTidingsError(e)) throw e;
    throw new TidingsError(e.code, `${path}: ${e.message}`, { cause: e });
  }
}

export function fieldError(code: ErrorCode, path: string, problem: string): TidingsError {
  return new TidingsError(code, path === '' ? problem : `${path}: ${problem}`);
}
