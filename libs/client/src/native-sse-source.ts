// The browser's EventSource, which reconnects by itself after network errors (sending
// Last-Event-ID). It gives up for good on any non-200 answer and cannot say which one, so
// when it does, one plain fetch of the same URL tells a 4xx (stop) from a 5xx (retry).
import type { Backoff } from './backoff.js';
import type { SseSource, SseSourceHandlers } from './sse-source.js';
import { errorFromResponse, isTerminalStatus } from './tidings-client-error.js';
import { curedByFreshToken, type TokenSource } from './transport.js';
import type { EventSourceConstructor, EventSourceLike, FetchLike, TimerHandle, Timers } from './types.js';

const CLOSED = 2;

export interface NativeSseSourceOptions {
  /** The stream URL without `lastEventId`, which is added when resuming. */
  url: string;
  EventSource: EventSourceConstructor;
  /** Event types to listen for. */
  types: readonly string[];
  fetch: FetchLike | undefined;
  timers: Timers;
  backoff: Backoff;
  lastEventId?: string;
  handlers: SseSourceHandlers;
  /** EventSource cannot send headers: the token goes in the URL, fetched anew for every connection. */
  token?: TokenSource;
}

interface MessageEventLike {
  readonly type: string;
  readonly data: unknown;
  readonly lastEventId: string;
}

export class NativeSseSource implements SseSource {
  private source: EventSourceLike | undefined;
  private last: string | undefined;
  private timer: TimerHandle | undefined;
  private probe: AbortController | undefined;
  private closed = false;

  private currentToken: string | undefined;

  constructor(private readonly options: NativeSseSourceOptions) {
    this.last = options.lastEventId;
    void this.open();
  }

  get lastEventId(): string | undefined {
    return this.last;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.source?.close();
    this.source = undefined;
    this.probe?.abort();
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private url(): string {
    const params: [string, string][] = [];
    if (this.last !== undefined && this.last !== '') params.push(['lastEventId', this.last]);
    if (this.currentToken !== undefined) params.push(['token', this.currentToken]);
    if (params.length === 0) return this.options.url;
    const sep = this.options.url.includes('?') ? '&' : '?';
    return `${this.options.url}${sep}${params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
  }

  private async open(): Promise<void> {
    this.timer = undefined;
    if (this.options.token) {
      try {
        this.currentToken = await this.options.token();
      } catch {
        this.retryLater(); // the token issuer is away: like any transient failure
        return;
      }
      if (this.closed) return;
    }
    const source = new this.options.EventSource(this.url());
    this.source = source;
    const { handlers } = this.options;
    source.addEventListener('open', () => {
      if (source !== this.source) return;
      this.options.backoff.reset();
      handlers.open();
    });
    for (const type of this.options.types) {
      source.addEventListener(type, (event: MessageEventLike) => {
        if (source !== this.source) return;
        if (event.lastEventId !== '') this.last = event.lastEventId;
        handlers.message({ type: event.type, data: String(event.data), lastEventId: event.lastEventId });
      });
    }
    source.addEventListener('error', () => {
      if (source !== this.source) return;
      if (source.readyState !== CLOSED) {
        handlers.connecting();
        return;
      }
      source.close();
      this.source = undefined;
      handlers.connecting();
      void this.diagnose();
    });
  }

  private async diagnose(): Promise<void> {
    const fetch = this.options.fetch;
    if (fetch) {
      const probe = new AbortController();
      this.probe = probe;
      try {
        const res = await fetch(this.url(), { headers: { accept: 'text/event-stream' }, signal: probe.signal, cache: 'no-store' });
        if (isTerminalStatus(res.status)) {
          const error = await errorFromResponse(res);
          if (this.closed) return;
          // Expired (the server also says so with a token-expired event): reopen with a fresh one.
          if (!curedByFreshToken(error, this.options.token)) {
            this.close();
            this.options.handlers.failed(error);
            return;
          }
        }
      } catch {
        // Unreachable right now: retry like any other transient failure.
      } finally {
        probe.abort();
        this.probe = undefined;
      }
    }
    if (this.closed) return;
    this.retryLater();
  }

  private retryLater(): void {
    this.timer = this.options.timers.setTimeout(() => void this.open(), this.options.backoff.next());
  }
}
