// Strict JSON intake shared by HTTP bodies and WebSocket frames: fatal UTF-8 decoding, a depth
// limit (deep nesting costs every later JSON.stringify and recursive consumer) and no numbers
// that JSON.parse would silently turn into Infinity (re-serialised as null: data loss).
import { TidingsError, type ErrorCode } from './errors.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

export interface BodyLimits {
  /** Maximum container nesting of the whole document, the envelope included. */
  maxJsonDepth: number;
}

export const DEFAULT_BODY_LIMITS: Readonly<BodyLimits> = Object.freeze({ maxJsonDepth: 32 });

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8, refusing malformed sequences instead of inserting U+FFFD. */
export function decodeUtf8Strict(body: Uint8Array, what = 'body'): string {
  try {
    return utf8.decode(body);
  } catch (e) {
    throw new TidingsError('TIDINGS_BODY_INVALID', `${what} is not valid UTF-8`, { cause: e });
  }
}

export function parseJsonStrict(body: Uint8Array, limits: BodyLimits = DEFAULT_BODY_LIMITS): JsonValue {
  return parseJsonText(decodeUtf8Strict(body), limits, 'TIDINGS_BODY_INVALID', 'body');
}

/** JSON.parse plus the depth and number checks; failures throw `code` naming `what`. */
export function parseJsonText(text: string, limits: BodyLimits, code: ErrorCode, what: string): JsonValue {
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch (e) {
    const reason = e instanceof Error ? `: ${e.message}` : '';
    throw new TidingsError(code, `${what} is not valid JSON${reason}`, { cause: e });
  }
  const problem = treeProblem(value, limits.maxJsonDepth);
  if (problem) throw new TidingsError(code, `${what} ${problem}`);
  return value;
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Iterative, so hostile nesting cannot overflow the call stack before the limit trips.
function treeProblem(root: JsonValue, maxDepth: number): string | undefined {
  const stack: { value: JsonValue; depth: number }[] = [{ value: root, depth: 0 }];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const { value, depth } = top;
    if (typeof value === 'number' && !Number.isFinite(value)) return 'holds a number too large to represent';
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxDepth) return `is nested deeper than ${maxDepth} levels`;
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      stack.push({ value: child, depth: depth + 1 });
    }
  }
  return undefined;
}
