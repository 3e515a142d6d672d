import { type ClientRequest, request } from 'node:http';

export interface SseEvent {
  readonly id?: string;
  readonly event: string;
  readonly data: string;
}

type Waiter = { filter: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void };

/**
 * A raw SSE client over node:http with a parser that follows the WHATWG rules (CR, LF and CRLF
 * line ends, comments, `retry`, `id`, multi-line data), fed chunks split anywhere. It records
 * everything, so tests can assert on exactly what went over the wire.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  retryMs: number | undefined;
  lastEventId: string | undefined;
  status = 0;
  headers: Record<string, string> = {};
  readonly closed: Promise<void>;
  private waiters: Waiter[] = [];
  private pending = '';
  private seenCr = false;
  private firstChunk = true;
  private field = { id: undefined as string | undefined, event: '', data: [] as string[], hasData: false };
  private req!: ClientRequest;
  private markClosed!: () => void;

  private constructor() {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
  }

  /** Resolves once the response headers arrived (any status: check `status`). */
  static connect(url: string, options: { headers?: Record<string, string> } = {}): Promise<SseClient> {
    const client = new SseClient();
    return new Promise((resolve, reject) => {
      client.req = request(url, { headers: { accept: 'text/event-stream', ...options.headers } }, (res) => {
        client.status = res.statusCode ?? 0;
        client.headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => client.feed(chunk));
        res.on('end', () => client.markClosed());
        res.on('error', () => client.markClosed());
        resolve(client);
      });
      client.req.on('error', (error) => {
        client.markClosed();
        reject(error);
      });
      client.req.end();
    });
  }

  /** The next event (matching `filter`) not yet returned by nextEvent/waitFor. */
  nextEvent(filter: (e: SseEvent) => boolean = () => true, limitMs = 20_000): Promise<SseEvent> {
    const index = this.events.findIndex((e) => !this.taken.has(e) && filter(e));
    if (index >= 0) {
      const event = this.events[index]!;
      this.taken.add(event);
      return Promise.resolve(event);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no SSE event within ${limitMs} ms; got ${JSON.stringify(this.events)}`)), limitMs);
      this.waiters.push({
        filter,
        resolve: (e) => {
          clearTimeout(timer);
          this.taken.add(e);
          resolve(e);
        },
      });
    });
  }

  /** The next `count` events (in arrival order). */
  async waitFor(count: number, limitMs = 20_000): Promise<SseEvent[]> {
    const got: SseEvent[] = [];
    for (let i = 0; i < count; i++) got.push(await this.nextEvent(() => true, limitMs));
    return got;
  }

  close(): void {
    this.req.destroy();
  }

  private readonly taken = new Set<SseEvent>();

  private feed(chunk: string): void {
    let text = chunk;
    if (this.firstChunk) {
      this.firstChunk = false;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    for (const char of text) {
      if (this.seenCr) {
        this.seenCr = false;
        if (char === '\n') continue; // the LF of a CRLF
      }
      if (char === '\r' || char === '\n') {
        this.seenCr = char === '\r';
        this.line(this.pending);
        this.pending = '';
      } else this.pending += char;
    }
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) {
      this.comments.push(line.slice(1).trimStart());
      return;
    }
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'data') {
      this.field.data.push(value);
      this.field.hasData = true;
    } else if (name === 'event') this.field.event = value;
    else if (name === 'id' && !value.includes('\0')) this.field.id = value;
    else if (name === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }

  private dispatch(): void {
    const { id, event, data, hasData } = this.field;
    if (id !== undefined) this.lastEventId = id;
    this.field = { id: undefined, event: '', data: [], hasData: false };
    if (!hasData) return;
    const parsed: SseEvent = { ...(this.lastEventId === undefined ? {} : { id: this.lastEventId }), event: event || 'message', data: data.join('\n') };
    this.events.push(parsed);
    const waiter = this.waiters.find((w) => w.filter(parsed));
    if (waiter) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(parsed);
    }
  }
}
