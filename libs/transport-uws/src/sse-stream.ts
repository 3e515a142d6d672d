import type { HttpExchange, Headers } from './http-exchange.js';
import { statusLine } from './http-exchange.js';
import { byteLength, type Chunk, type OutputFlusher, type WriteOutcome } from './output-flusher.js';
import { QueuedOutput, writeFlushing } from './queued-output.js';

/**
 * A Server-Sent Events response held open, written through a QueuedOutput. uWS buffers what the
 * socket will not take yet; those bytes are counted (an upper bound) until it says the socket is
 * writable again.
 */
export class SseStream extends QueuedOutput {
  private bufferedBytes = 0;
  private closed = false;
  private waiters: (() => void)[] | undefined;
  private closeHandlers: (() => void)[] | undefined;

  constructor(
    private readonly exchange: HttpExchange,
    maxBufferedBytes: number,
    flusher: OutputFlusher,
  ) {
    super(maxBufferedBytes, flusher);
    exchange.takeOver();
    exchange.onAbort(() => this.markClosed());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs `handler` once the stream closes; at once when it already has. */
  onClose(handler: () => void): void {
    if (this.closed) handler();
    else (this.closeHandlers ??= []).push(handler);
  }

  /** Sends the status line and headers at once; the first write goes out with them. */
  open(headers: Headers, first: string): WriteOutcome {
    if (this.closed) return 'dropped';
    const res = this.exchange.res;
    res.cork(() => {
      res.writeStatus(statusLine(200));
      for (const [name, value] of Object.entries(headers)) res.writeHeader(name, value);
      this.writeChunk(first, byteLength(first));
    });
    return this.bufferedBytes > 0 ? 'buffered' : 'sent';
  }

  /** Queues `chunk` for this turn's write. */
  write(chunk: Chunk): WriteOutcome {
    return this.enqueue(chunk);
  }

  /** null when the socket takes more now; otherwise resolves when it has drained (or closed). */
  writable(): Promise<void> | null {
    if (this.closed || this.bufferedBytes === 0) return null;
    return new Promise((resolve) => (this.waiters ??= []).push(resolve));
  }

  /** Ends the response cleanly after what is queued (the client sees the stream end and reconnects per `retry:`). */
  end(last?: string): void {
    if (this.closed) return;
    const res = this.exchange.res;
    res.cork(() => {
      this.writeQueued();
      res.end(last ?? '');
    });
    this.markClosed();
  }

  /** Drops the connection at once, discarding what is queued and buffered (slow consumers). */
  abort(): void {
    if (this.closed) return;
    this.exchange.res.close();
    this.markClosed();
  }

  protected backlog(): number {
    return this.bufferedBytes;
  }

  protected corkAndWrite(): void {
    this.exchange.res.cork(writeFlushing);
  }

  protected writeChunk(chunk: Chunk, size: number): void {
    const res = this.exchange.res;
    if (this.bufferedBytes > 0) {
      res.write(chunk);
      this.bufferedBytes += size;
      return;
    }
    if (res.write(chunk)) return;
    this.bufferedBytes = size; // an upper bound: part of it may have gone out
    res.onWritable(() => {
      this.bufferedBytes = 0;
      this.wake();
      return true;
    });
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.discardQueue();
    this.wake();
    const handlers = this.closeHandlers ?? [];
    this.closeHandlers = undefined;
    for (const handler of handlers) handler();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = undefined;
    for (const resolve of waiters ?? []) resolve();
  }
}
