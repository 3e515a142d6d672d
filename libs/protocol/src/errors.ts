// One table of stable error codes (fastify-style): the HTTP status and default message live
// next to the code, so every transport reports the same mistake the same way. Keep
// docs/errors.md in sync — errors-doc.spec.ts fails when they drift.

export const ERRORS = {
  TIDINGS_CHANNEL_INVALID: {
    status: 400,
    message: 'Channels are 1-200 characters of A-Z a-z 0-9 _ - . : @ / in non-empty levels separated by /.',
  },
  TIDINGS_PATTERN_INVALID: {
    status: 400,
    message: 'Wildcards must be whole levels: + matches exactly one level, # only as the last level.',
  },
  TIDINGS_CURSOR_INVALID: { status: 400, message: 'The cursor is malformed; resume with a value the server handed out.' },
  TIDINGS_QUERY_INVALID: { status: 400, message: 'A query parameter is missing or invalid.' },
  TIDINGS_BODY_INVALID: {
    status: 400,
    message: 'The request body is not valid (bad JSON, wrong shape, invalid UTF-8 or nested too deep).',
  },
  TIDINGS_BODY_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  TIDINGS_EVENT_NAME_INVALID: { status: 400, message: 'Event names are 1-64 characters of A-Z a-z 0-9 _ . : -.' },
  TIDINGS_IDEMPOTENCY_KEY_INVALID: {
    status: 400,
    message: 'Idempotency keys are 1-128 characters of A-Z a-z 0-9 _ . : @ / + = -.',
  },
  TIDINGS_BATCH_INVALID: { status: 400, message: 'A batch is { "events": [ ... ] } holding 1 to the allowed number of events.' },
  TIDINGS_TOO_MANY_CHANNELS: { status: 400, message: 'Too many channels in one subscription.' },
  TIDINGS_GROUP_INVALID: { status: 400, message: 'A consumer group name is not 1-64 characters of A-Z a-z 0-9 _ . : @ -.' },
  TIDINGS_CONSUMER_INVALID: { status: 400, message: 'A consumer name is not 1-128 characters of A-Z a-z 0-9 _ . : @ -.' },
  TIDINGS_FRAME_INVALID: { status: 400, message: 'The WebSocket frame is not a valid Tidings JSON frame.' },
  TIDINGS_FRAME_UNKNOWN_TYPE: { status: 400, message: 'Unknown WebSocket frame type.' },
  TIDINGS_EVENT_ID_INVALID: { status: 400, message: 'Event ids are stream ids: <ms>-<seq> in canonical decimal.' },
  TIDINGS_NOT_SUBSCRIBED: { status: 400, message: 'This connection is not subscribed to that channel.' },
  TIDINGS_UNAUTHORIZED: { status: 401, message: 'Missing or invalid credentials.' },
  TIDINGS_TOKEN_EXPIRED: { status: 401, message: 'The token has expired: get a fresh one and retry (resuming from your cursor).' },
  TIDINGS_DEVICE_FORBIDDEN: { status: 403, message: 'These credentials may not speak for that device.' },
  TIDINGS_RECEIPTS_FORBIDDEN: { status: 403, message: 'These credentials may not read the receipts of this channel.' },
  TIDINGS_ORIGIN_FORBIDDEN: { status: 403, message: 'This browser origin is not allowed.' },
  TIDINGS_PUBLISH_FORBIDDEN: { status: 403, message: 'These credentials may not publish on this channel.' },
  TIDINGS_SUBSCRIBE_FORBIDDEN: { status: 403, message: 'These credentials may not subscribe to this channel.' },
  TIDINGS_CONSUME_FORBIDDEN: { status: 403, message: 'These credentials may not use the consumer groups of this channel.' },
  TIDINGS_DEVICE_INVALID: { status: 400, message: 'Device ids are 1-128 characters of A-Z a-z 0-9 _ . : @ -.' },
  TIDINGS_NOT_FOUND: { status: 404, message: 'Not found.' },
  TIDINGS_GROUP_NOT_FOUND: { status: 404, message: 'The channel has no consumer group of that name: create it with PUT first.' },
  TIDINGS_RECEIPT_NOT_EXPECTED: {
    status: 404,
    message: 'No receipt is expected: the event does not exist, was not published with ack, or the device was not a member then.',
  },
  TIDINGS_RECEIPT_CONFLICT: { status: 409, message: 'The receipt contradicts one already recorded (for example failed after processed, or after dead).' },
  TIDINGS_TOO_MANY_PATTERNS: {
    status: 409,
    message: 'The device already follows the allowed number of wildcard patterns durably; unsubscribe one, or wait until an unused one expires.',
  },
  TIDINGS_METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed on this path.' },
  TIDINGS_SLOW_CONSUMER: {
    status: 429,
    message: 'The consumer fell too far behind and was disconnected; reconnect and resume from the last cursor.',
  },
  TIDINGS_RATE_LIMITED: { status: 429, message: 'Publishing faster than allowed; retry after the time given.' },
  TIDINGS_TOO_MANY_CONNECTIONS: { status: 429, message: 'Too many open connections for these credentials or this address.' },
  TIDINGS_INTERNAL: { status: 500, message: 'Internal error.' },
  TIDINGS_NOT_IMPLEMENTED: { status: 501, message: 'Not implemented.' },
  TIDINGS_UNAVAILABLE: { status: 503, message: 'Temporarily unavailable (draining or storage unreachable); retry with backoff.' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

Object.freeze(ERRORS);
for (const entry of Object.values(ERRORS)) Object.freeze(entry);

export function isErrorCode(s: unknown): s is ErrorCode {
  return typeof s === 'string' && Object.hasOwn(ERRORS, s);
}

export class TidingsError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message?: string, options?: ErrorOptions) {
    super(message ?? ERRORS[code].message, options);
    this.name = 'TidingsError';
    this.code = code;
    this.status = ERRORS[code].status;
  }
}

export function errorBody(code: ErrorCode, message?: string): { error: { code: ErrorCode; message: string } } {
  return { error: { code, message: message ?? ERRORS[code].message } };
}

// Duck-typed as well as instanceof: a bundle can end up holding two copies of this package,
// and an error from one copy must still be recognised by the other.
export function isTidingsError(e: unknown): e is TidingsError {
  if (e instanceof TidingsError) return true;
  if (!(e instanceof Error) || e.name !== 'TidingsError') return false;
  const { code, status } = e as Partial<TidingsError>;
  return isErrorCode(code) && status === ERRORS[code].status;
}
