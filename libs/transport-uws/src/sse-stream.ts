import type { HttpExchange, Headers } from './http-exchange.js';
import { statusLine } from './http-exchange.js';

export type WriteOutcome = 'sent' | 'buffered' | 'dropped';

/**
 * A Server-Sent Events response held open. uWS buffers what the socket will not take yet; this
 * counts those bytes and reports 'dropped' past `maxBufferedBytes`, so the caller can disconnect
 * a slow consumer instead of letting its buffer grow without bound.
 */
export class SseStream {
  private bufferedBytes = 0;
  private closed = false;
  private waiters: (() => void)[] = [];
  private readonly closeHandlers: (() => void)[] = [];

  constructor(
    private readonly exchange: HttpExchange,
    private readonly maxBufferedBytes: number,
  ) {
    exchange.takeOver();
    exchange.onAbort(() => this.markClosed());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get buffered(): number {
    return this.bufferedBytes;
  }

  /** Runs `handler` once the stream closes; at once when it already has. */
  onClose(handler: () => void): void {
    if (this.closed) handler();
    else this.closeHandlers.push(handler);
  }

  /** Sends the status line and headers; the first write goes out with them. */
  open(headers: Headers, first: string): WriteOutcome {
    if (this.closed) return 'dropped';
    const res = this.exchange.res;
    let outcome: WriteOutcome = 'sent';
    res.cork(() => {
      res.writeStatus(statusLine(200));
      for (const [name, value] of Object.entries(headers)) res.writeHeader(name, value);
      outcome = this.writeCorked(first);
    });
    return outcome;
  }

  write(chunk: string): WriteOutcome {
    if (this.closed) return 'dropped';
    let outcome: WriteOutcome = 'sent';
    this.exchange.res.cork(() => {
      outcome = this.writeCorked(chunk);
    });
    return outcome;
  }

  /** null when the socket takes more now; otherwise resolves when it has drained (or closed). */
  writable(): Promise<void> | null {
    if (this.closed || this.bufferedBytes === 0) return null;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends the response cleanly (the client sees the stream end and reconnects per `retry:`). */
  end(last?: string): void {
    if (this.closed) return;
    const res = this.exchange.res;
    res.cork(() => res.end(last ?? ''));
    this.markClosed();
  }

  /** Drops the connection at once, discarding what is buffered (slow consumers). */
  abort(): void {
    if (this.closed) return;
    this.exchange.res.close();
    this.markClosed();
  }

  private writeCorked(chunk: string): WriteOutcome {
    const size = Buffer.byteLength(chunk);
    if (this.bufferedBytes > 0) {
      if (this.bufferedBytes + size > this.maxBufferedBytes) return 'dropped';
      this.exchange.res.write(chunk);
      this.bufferedBytes += size;
      return 'buffered';
    }
    if (this.exchange.res.write(chunk)) return 'sent';
    this.bufferedBytes = size; // an upper bound: part of it may have gone out
    this.exchange.res.onWritable(() => {
      this.bufferedBytes = 0;
      this.wake();
      return true;
    });
    return 'buffered';
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    for (const handler of this.closeHandlers) handler();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
