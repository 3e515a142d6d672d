// Errors the client reports. Server errors keep the server's stable code and HTTP status;
// failures the server never named get a TIDINGS_CLIENT_* code from the table below.

export const CLIENT_ERRORS = Object.freeze({
  TIDINGS_CLIENT_NETWORK: 'The request or connection failed before the server answered.',
  TIDINGS_CLIENT_HTTP: 'The server answered with an error status and no Tidings error body.',
  TIDINGS_CLIENT_BAD_RESPONSE: 'The server answered with something that is not the expected JSON.',
  TIDINGS_CLIENT_CLOSED: 'The client was closed.',
  TIDINGS_CLIENT_NO_TRANSPORT: 'No usable transport: this environment lacks WebSocket, EventSource and fetch; inject one.',
  TIDINGS_CLIENT_NO_DEVICE: 'Receipts need a device id: pass `device` to createClient.',
  TIDINGS_CLIENT_CONNECTION_REJECTED: 'The server closed the connection with a code that says not to reconnect.',
  TIDINGS_CLIENT_CALLBACK_FAILED: 'A callback passed to subscribe() threw.',
  TIDINGS_CLIENT_NO_PRESENCE: 'Long-poll carries no join and leave news: onPresence stays silent on this subscription (use presence(), or SSE or WebSocket).',
  TIDINGS_CLIENT_STORAGE: 'The cursor could not be kept in cursorStorage (full or not allowed); the subscription goes on without it.',
} as const);

export type ClientErrorCode = keyof typeof CLIENT_ERRORS;

export class TidingsClientError extends Error {
  /** A server code (TIDINGS_*) or a client code (TIDINGS_CLIENT_*). */
  readonly code: string;
  /** HTTP status, or 0 when there was no HTTP answer. */
  readonly status: number;
  /** WebSocket close code, when the error is a close. */
  readonly closeCode: number | undefined;

  constructor(code: string, message: string, status = 0, options?: { cause?: unknown; closeCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TidingsClientError';
    this.code = code;
    this.status = status;
    this.closeCode = options?.closeCode;
  }

  static of(code: ClientErrorCode, detail?: string, options?: { status?: number; cause?: unknown; closeCode?: number }): TidingsClientError {
    const message = detail ? `${CLIENT_ERRORS[code]} ${detail}` : CLIENT_ERRORS[code];
    return new TidingsClientError(code, message, options?.status ?? 0, options);
  }
}

/** 4xx other than 408/429 will not get better by retrying. */
export function isTerminalStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** Turns an HTTP error response into a TidingsClientError, using the `{ error: { code, message } }` body when present. */
export async function errorFromResponse(res: Response): Promise<TidingsClientError> {
  let text = '';
  try {
    text = await res.text();
  } catch (cause) {
    return TidingsClientError.of('TIDINGS_CLIENT_HTTP', `HTTP ${res.status}; the body could not be read.`, { status: res.status, cause });
  }
  const body = parseJson(text);
  if (isRecord(body) && isRecord(body.error) && typeof body.error.code === 'string') {
    const message = typeof body.error.message === 'string' ? body.error.message : body.error.code;
    return new TidingsClientError(body.error.code, message, res.status);
  }
  return TidingsClientError.of('TIDINGS_CLIENT_HTTP', `HTTP ${res.status}.`, { status: res.status });
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON.parse that answers undefined instead of throwing: callers treat that as a bad response. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
