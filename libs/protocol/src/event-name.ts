// Event names become SSE `event:` values and addEventListener types, so they are kept to a
// small charset that needs no escaping anywhere.
import { TidingsError } from './errors.js';

export const EVENT_NAME_DEFAULT = 'message';
export const EVENT_NAME_MAX_LENGTH = 64;

const EVENT_NAME_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

export function isEventName(s: unknown): s is string {
  return typeof s === 'string' && EVENT_NAME_RE.test(s);
}

export function parseEventName(s: unknown): string {
  if (isEventName(s)) return s;
  throw new TidingsError(
    'TIDINGS_EVENT_NAME_INVALID',
    typeof s === 'string'
      ? `event name must be 1-${EVENT_NAME_MAX_LENGTH} characters of A-Z a-z 0-9 _ . : -`
      : 'event name must be a string',
  );
}
