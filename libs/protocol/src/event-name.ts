// Event names become SSE `event:` values and addEventListener types, so they are kept to a
// small charset that needs no escaping anywhere.
import { TidingsError } from './errors.js';

export const EVENT_NAME_DEFAULT = 'message';
export const EVENT_NAME_MAX_LENGTH = 64;

const EVENT_NAME_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Names the server sends itself on SSE streams; a publisher using one would impersonate it. */
export const RESERVED_EVENT_NAMES: readonly string[] = ['reset'];

export function isEventName(s: unknown): s is string {
  return typeof s === 'string' && EVENT_NAME_RE.test(s) && !RESERVED_EVENT_NAMES.includes(s);
}

export function parseEventName(s: unknown): string {
  if (isEventName(s)) return s;
  if (typeof s === 'string' && RESERVED_EVENT_NAMES.includes(s)) {
    throw new TidingsError('TIDINGS_EVENT_NAME_INVALID', `event name '${s}' is reserved for the server`);
  }
  throw new TidingsError(
    'TIDINGS_EVENT_NAME_INVALID',
    typeof s === 'string'
      ? `event name must be 1-${EVENT_NAME_MAX_LENGTH} characters of A-Z a-z 0-9 _ . : -`
      : 'event name must be a string',
  );
}
