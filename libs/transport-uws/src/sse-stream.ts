import type { HttpResponse } from 'uWebSockets.js';
import type { HttpExchange, Headers } from './http-exchange.js';
import { statusLine } from './http-exchange.js';
import { byteLength, type Chunk, type OutputFlusher, type WriteOutcome } from './output-flusher.js';
import { QueuedOutput, writeFlushing } from './queued-output.js';

/** Told once when a stream closes, whatever closed it. */
export interface StreamListener {
  streamClosed(): void;
}

/**
 * A Server-Sent Events response held open, written through a QueuedOutput. uWS buffers what the
 * socket will not take yet; those bytes are counted (an upper bound) until it says the socket is
 * writable again. It keeps only the response, not the request's exchange, so what the request
 * parsed is freed once the stream has started: thousands of idle streams cost little each.
 */
export class SseStream extends QueuedOutput {
  private readonly res: HttpResponse;
  private bufferedBytes = 0;
  private waiters: (() => void)[] | undefined;
  private listener: StreamListener | undefined;

  constructor(exchange: HttpExchange, maxBufferedBytes: number, flusher: OutputFlusher) {
    super(maxBufferedBytes, flusher);
    this.res = exchange.res;
    exchange.takeOver();
    // The stream's own abort handler replaces the exchange's, which then holds nothing alive.
    if (exchange.aborted) this.closed = true;
    else this.res.onAborted(() => this.markClosed());
  }

  /** Tells `listener` when the stream closes; at once when it already has. One listener per stream. */
  onClose(listener: StreamListener): void {
    if (this.closed) listener.streamClosed();
    else this.listener = listener;
  }

  /** Sends the status line and headers at once; the first write goes out with them. */
  open(headers: Headers, first: string): WriteOutcome {
    if (this.closed) return 'dropped';
    const res = this.res;
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
    const res = this.res;
    res.cork(() => {
      this.writeQueued();
      res.end(last ?? '');
    });
    this.markClosed();
  }

  /** Drops the connection at once, discarding what is queued and buffered (slow consumers). */
  abort(): void {
    if (this.closed) return;
    this.res.close();
    this.markClosed();
  }

  protected backlog(): number {
    return this.bufferedBytes;
  }

  protected corkAndWrite(): void {
    this.res.cork(writeFlushing);
  }

  protected writeChunk(chunk: Chunk, size: number): void {
    const res = this.res;
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
    const listener = this.listener;
    this.listener = undefined;
    listener?.streamClosed();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = undefined;
    for (const resolve of waiters ?? []) resolve();
  }
}
