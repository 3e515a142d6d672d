import type { HttpRequest, HttpResponse } from 'uWebSockets.js';

export type Headers = Readonly<Record<string, string>>;

/** The request headers an exchange keeps (uWS request objects die when the handler returns). */
export const READ_HEADERS = ['content-type', 'content-length', 'last-event-id', 'origin', 'host', 'authorization', 'x-forwarded-for'] as const;

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

export class RequestAbortedError extends Error {
  constructor() {
    super('client went away');
    this.name = 'RequestAbortedError';
  }
}

/**
 * One HTTP request/response. uWS request objects die when the handler returns and responses
 * must not be touched after an abort, so this copies what the request says up front and guards
 * (and corks) every write.
 */
export class HttpExchange {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Only the request headers Tidings reads (READ_HEADERS), lower-case; copying all would cost every SSE connection. */
  readonly headers: Headers;
  /** Why the request's body framing cannot be trusted (see framingProblem()); undefined for nearly every request. */
  readonly framingProblem: string | undefined;
  private abortedFlag = false;
  private done = false;
  private readonly abortHandlers: (() => void)[] = [];

  constructor(
    readonly res: HttpResponse,
    req: HttpRequest,
  ) {
    this.method = req.getMethod().toUpperCase();
    this.path = req.getUrl();
    this.query = new URLSearchParams(req.getQuery() ?? '');
    const headers: Record<string, string> = {};
    for (const name of READ_HEADERS) {
      const value = req.getHeader(name);
      if (value !== '') headers[name] = value;
    }
    this.headers = headers;
    this.framingProblem = framingProblem(req);
    res.onAborted(() => {
      this.abortedFlag = true;
      for (const handler of this.abortHandlers) handler();
    });
  }

  /**
   * The peer's IP address as text (the proxy's, behind one). Read on demand, not per request: only
   * long-lived connections need it, and it must be read before the response ends or is aborted.
   */
  get remoteAddress(): string {
    return Buffer.from(this.res.getRemoteAddressAsText()).toString();
  }

  get aborted(): boolean {
    return this.abortedFlag;
  }

  /** True once a response was ended (or the client left): nothing more may be written. */
  get finished(): boolean {
    return this.done || this.abortedFlag;
  }

  /** Runs `handler` when the client leaves; at once when it already has (a handler added after an await). */
  onAbort(handler: () => void): void {
    if (this.abortedFlag) handler();
    else this.abortHandlers.push(handler);
  }

  /** Reads the whole body, refusing more than `limit` bytes (checked on the declared length first). */
  readBody(limit: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const declared = Number(this.headers['content-length']);
      if (Number.isFinite(declared) && declared > limit) {
        reject(new BodyTooLargeError(limit));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let failed = false;
      this.onAbort(() => reject(new RequestAbortedError()));
      this.res.onData((chunk, isLast) => {
        if (failed) return;
        size += chunk.byteLength;
        if (size > limit) {
          failed = true;
          reject(new BodyTooLargeError(limit));
          return;
        }
        chunks.push(Buffer.from(new Uint8Array(chunk))); // uWS reuses the chunk's memory after this call
        if (isLast) resolve(Buffer.concat(chunks, size));
      });
    });
  }

  /** Writes a complete response. `close` asks uWS to close the connection after it. */
  respond(status: number, body: string | Uint8Array, headers: Headers, close = false): void {
    if (this.finished) return;
    this.done = true;
    this.res.cork(() => {
      this.res.writeStatus(statusLine(status));
      for (const [name, value] of Object.entries(headers)) this.res.writeHeader(name, value);
      // The answer to HEAD gives the length but no body: a client would read one as its next response.
      // (endWithoutBody's own length and close arguments do not work in uWS 20.30; HEAD has no body to cut off.)
      if (this.method === 'HEAD') this.res.writeHeader('content-length', String(Buffer.byteLength(body))).endWithoutBody();
      else if (close) this.res.end(body, true);
      else this.endAsDrained(typeof body === 'string' ? Buffer.from(body) : body);
    });
  }

  /**
   * Ends the response with what the socket takes now and the rest as it drains. res.end() would
   * have uWS buffer all of it however little the client reads, so a client that pipelines
   * requests and reads nothing could grow the process without bound; while a response waits
   * here, uWS drops the connection if another request arrives on it.
   */
  private endAsDrained(body: Uint8Array): void {
    const [, done] = this.res.tryEnd(body, body.byteLength);
    if (done) return;
    this.res.onWritable((offset) => this.res.tryEnd(body.subarray(offset), body.byteLength)[0]);
  }

  /**
   * Closes the connection at once, unanswered. Only this stops uWS from reading on: it parses and
   * dispatches a request pipelined behind this one even after a response that asked to close.
   */
  drop(): void {
    if (this.finished) return;
    this.done = true;
    this.res.close();
  }

  json(status: number, body: unknown, headers: Headers = {}, close = false): void {
    this.respond(status, JSON.stringify(body), { 'content-type': 'application/json', ...headers }, close);
  }

  /** Marks the exchange as taken over by a stream (SSE), which writes on its own. */
  takeOver(): void {
    this.done = true;
  }
}

/**
 * uWS frames a body by the first Content-Length header and takes any Transfer-Encoding for
 * chunked. A proxy in front may read the other Content-Length, or not know the coding, and then
 * the two disagree on where this request ends and the next begins (request smuggling): such a
 * request must be dropped before anything else is read from its connection.
 */
function framingProblem(req: HttpRequest): string | undefined {
  if (req.getHeader('content-length') === '' && req.getHeader('transfer-encoding') === '') return undefined;
  const lengths = new Set<string>();
  const codings: string[] = [];
  req.forEach((name, value) => {
    if (name === 'content-length') lengths.add(value);
    else if (name === 'transfer-encoding') codings.push(value);
  });
  if (lengths.size > 1) return 'the request has Content-Length headers that disagree';
  if (codings.length > 1 || (codings.length === 1 && codings[0]!.trim().toLowerCase() !== 'chunked')) {
    return `Transfer-Encoding ${JSON.stringify(codings.join(', ').slice(0, 64))} is not supported; only chunked is`;
  }
  return undefined;
}

const REASONS: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 413: 'Payload Too Large', 429: 'Too Many Requests', 500: 'Internal Server Error',
  501: 'Not Implemented', 503: 'Service Unavailable',
};

export function statusLine(status: number): string {
  return `${status} ${REASONS[status] ?? 'Status'}`;
}
