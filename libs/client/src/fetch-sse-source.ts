// An EventSource built on fetch streaming, for runtimes without one (Node 20). Reconnects by
// itself like the browser does, sending `Last-Event-ID`, but with full-jitter backoff so a
// node's clients do not all come back in the same instant.
import type { Backoff } from './backoff.js';
import { SseParser } from './sse-parser.js';
import type { SseSource, SseSourceHandlers } from './sse-source.js';
import { errorFromResponse, isTerminalStatus, TidingsClientError } from './tidings-client-error.js';
import { bearer, curedByFreshToken, type TokenSource } from './transport.js';
import type { FetchLike, TimerHandle, Timers } from './types.js';

export interface FetchSseSourceOptions {
  url: string;
  fetch: FetchLike;
  timers: Timers;
  backoff: Backoff;
  lastEventId?: string;
  handlers: SseSourceHandlers;
  token?: TokenSource;
}

export class FetchSseSource implements SseSource {
  private readonly parser: SseParser;
  private controller: AbortController | undefined;
  private timer: TimerHandle | undefined;
  private retryMs: number | undefined;
  private closed = false;

  constructor(private readonly options: FetchSseSourceOptions) {
    this.parser = new SseParser(
      {
        message: (m) => options.handlers.message(m),
        retry: (ms) => {
          this.retryMs = ms;
        },
      },
      options.lastEventId ?? '',
    );
    void this.connect();
  }

  get lastEventId(): string | undefined {
    return this.parser.lastEventId === '' ? undefined : this.parser.lastEventId;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.controller?.abort();
  }

  private async connect(): Promise<void> {
    this.timer = undefined;
    const controller = new AbortController();
    this.controller = controller;
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (this.parser.lastEventId !== '') headers['last-event-id'] = this.parser.lastEventId;
    let res: Response;
    try {
      if (this.options.token) headers['authorization'] = await bearer(this.options.token);
      res = await this.options.fetch(this.options.url, { headers, signal: controller.signal, cache: 'no-store' });
    } catch {
      // Refused, reset, DNS, or our own abort: all mean "try again later" unless closed.
      this.reconnect();
      return;
    }
    if (this.closed) {
      controller.abort();
      return;
    }
    if (!res.ok) {
      await this.refused(res);
      return;
    }
    const type = res.headers.get('content-type') ?? '';
    if (!res.body || !/^text\/event-stream\b/i.test(type)) {
      controller.abort();
      this.fail(TidingsClientError.of('TIDINGS_CLIENT_BAD_RESPONSE', `Expected text/event-stream, got ${type || 'no body'}.`, { status: res.status }));
      return;
    }
    this.parser.restart();
    this.options.backoff.reset();
    this.options.handlers.open();
    await this.read(res.body);
    this.reconnect();
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || this.closed) return;
        this.parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      // The stream broke (network, or close() aborting it): reconnect() decides what follows.
      return;
    } finally {
      reader.releaseLock();
    }
  }

  private async refused(res: Response): Promise<void> {
    if (isTerminalStatus(res.status)) {
      const error = await errorFromResponse(res);
      if (curedByFreshToken(error, this.options.token)) this.reconnect();
      else this.fail(error);
      return;
    }
    await res.body?.cancel().catch(() => undefined);
    this.reconnect();
  }

  private reconnect(): void {
    if (this.closed) return;
    this.options.handlers.connecting();
    const delay = this.options.backoff.next(this.retryMs);
    this.timer = this.options.timers.setTimeout(() => void this.connect(), delay);
  }

  private fail(error: TidingsClientError): void {
    if (this.closed) return;
    this.close();
    this.options.handlers.failed(error);
  }
}
