// Idempotency keys end up inside Redis keys and log lines; the charset admits common id
// formats (UUIDs, base64 with + / =, "order:42@shop") and nothing that needs escaping.
import { TidingsError } from './errors.js';

export const IDEMPOTENCY_KEY_MAX_LENGTH = 128;

const IDEMPOTENCY_KEY_RE = /^[A-Za-z0-9_.:@/+=-]{1,128}$/;

export function isIdempotencyKey(s: unknown): s is string {
  return typeof s === 'string' && IDEMPOTENCY_KEY_RE.test(s);
}

export function parseIdempotencyKey(s: unknown): string {
  if (isIdempotencyKey(s)) return s;
  throw new TidingsError(
    'TIDINGS_IDEMPOTENCY_KEY_INVALID',
    typeof s === 'string'
      ? `idempotency key must be 1-${IDEMPOTENCY_KEY_MAX_LENGTH} characters of A-Z a-z 0-9 _ . : @ / + = -`
      : 'idempotency key must be a string',
  );
}
