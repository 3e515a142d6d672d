import { errorBody, isTidingsError, TidingsError } from '@tidings/protocol';
import { BodyTooLargeError, type HttpExchange, RequestAbortedError } from '@tidings/transport-uws';
import { RateLimitedError } from '../auth/auth.js';
import type { EdgeContext } from '../context.js';
import { corsHeaders } from './cors.js';

const UNAVAILABLE_RETRY_AFTER_SECONDS = '1';

/** Turns anything a handler threw into the error table's JSON answer, and counts it. */
export function toTidingsError(ctx: EdgeContext, error: unknown): TidingsError {
  if (isTidingsError(error)) return error;
  if (error instanceof BodyTooLargeError) return new TidingsError('TIDINGS_BODY_TOO_LARGE', error.message);
  if (!ctx.isStoreReady()) return new TidingsError('TIDINGS_UNAVAILABLE', 'the event store is unreachable; retry shortly');
  ctx.logger.error({ err: error }, 'request failed');
  return new TidingsError('TIDINGS_INTERNAL');
}

export function sendError(ctx: EdgeContext, exchange: HttpExchange, error: unknown): void {
  if (error instanceof RequestAbortedError) return;
  const tidingsError = toTidingsError(ctx, error);
  ctx.metrics.badRequestsTotal.inc({ code: tidingsError.code });
  // After a refused body the rest of it may still be on the wire: close rather than reuse.
  const close = tidingsError.code === 'TIDINGS_BODY_TOO_LARGE';
  const headers = corsHeaders(ctx, exchange);
  if (error instanceof RateLimitedError) headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
  // Redis unreachable or the node draining: worth retrying soon (a publish with the same idempotency key is safe).
  else if (tidingsError.code === 'TIDINGS_UNAVAILABLE') headers['retry-after'] = UNAVAILABLE_RETRY_AFTER_SECONDS;
  exchange.json(tidingsError.status, errorBody(tidingsError.code, tidingsError.message), headers, close);
}
