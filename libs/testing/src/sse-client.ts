import { type IncomingMessage, type ClientRequest, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Arrivals } from './arrivals.js';
import { type SseEvent, SseParser } from './sse-parser.js';

const CONNECT_LIMIT_MS = 10_000;
const WAIT_LIMIT_MS = 20_000;

/**
 * A Server-Sent Events client on a raw node:http GET — not EventSource, so tests see the status,
 * headers, comments and `retry:` a browser hides, and it never reconnects on its own.
 */
export class SseClient {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Every event dispatched so far, in order. */
  readonly events: SseEvent[];
  /** Comment lines (heartbeats), without the leading ': '. */
  readonly comments: string[] = [];
  /** The last valid `retry:` value. */
  retryMs?: number;
  /** The stream's last event id, what a browser would resend as Last-Event-ID. */
  lastEventId?: string;
  /** The raw body when the response is not `text/event-stream` (an error's JSON, say). */
  body = '';
  /** Resolves when the server ends the stream, the connection drops or close() is called. */
  readonly closed: Promise<void>;

  private readonly arrivals = new Arrivals<SseEvent>('SSE event', (e) => JSON.stringify(e));

  private constructor(
    private readonly req: ClientRequest,
    res: IncomingMessage,
  ) {
    this.status = res.statusCode ?? 0;
    this.headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
    this.events = this.arrivals.items;
    const isStream = /^text\/event-stream\b/i.test(this.headers['content-type'] ?? '');
    const parser = new SseParser({
      event: (event) => {
        this.lastEventId = parser.lastEventId;
        this.arrivals.push(event);
      },
      comment: (text) => this.comments.push(text),
      retry: (ms) => (this.retryMs = ms),
    });
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      if (!isStream) this.body += chunk;
      else {
        parser.feed(chunk);
        // An id-only block moves the last event id without dispatching anything.
        this.lastEventId = parser.lastEventId;
      }
    });
    this.closed = new Promise((resolve) => {
      res.once('close', () => {
        this.arrivals.end();
        resolve();
      });
    });
  }

  /** Opens the stream; resolves on the response head, whatever its status. */
  static connect(url: string, options: { headers?: Record<string, string> } = {}): Promise<SseClient> {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(url, { method: 'GET', headers: { accept: 'text/event-stream', ...options.headers } });
      const timer = setTimeout(() => req.destroy(new Error(`no response from ${url} within ${CONNECT_LIMIT_MS} ms`)), CONNECT_LIMIT_MS);
      req.once('response', (res) => {
        clearTimeout(timer);
        resolve(new SseClient(req, res));
      });
      req.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end();
    });
  }

  /**
   * The oldest event not yet taken (by nextEvent or waitFor) that passes `filter`; events it
   * passes over stay available to later calls.
   */
  nextEvent(filter: (e: SseEvent) => boolean = () => true, timeoutMs = WAIT_LIMIT_MS): Promise<SseEvent> {
    return this.arrivals.next(filter, timeoutMs);
  }

  /** The next `n` events not yet taken, in order, once that many have arrived. */
  waitFor(n: number, timeoutMs = WAIT_LIMIT_MS): Promise<SseEvent[]> {
    return this.arrivals.take(n, timeoutMs);
  }

  close(): void {
    this.req.destroy();
  }
}
