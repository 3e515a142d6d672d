import { byteLength, type Chunk, FLUSH_AT_BYTES, type Flushable, type OutputFlusher, type WriteOutcome } from './output-flusher.js';

/** The output a flush is writing: uWS' cork takes a callback, and this keeps it free of a closure per flush. */
let flushing: QueuedOutput | undefined;
/** Hand this to the socket's cork(): it writes what the output being flushed has queued. */
export const writeFlushing = (): void => flushing!.writeQueued();

/**
 * A connection's output queue: chunks wait for the end of the event-loop turn and leave together
 * in one corked write (see OutputFlusher), or sooner once FLUSH_AT_BYTES have gathered. A chunk is
 * refused ('dropped') when what is queued, plus what the socket holds back, plus it would pass
 * `maxBytes`: the caller disconnects the slow consumer instead of growing without bound.
 */
export abstract class QueuedOutput implements Flushable {
  private queued: Chunk[] | undefined;
  private queuedBytes = 0;
  /** Once set, nothing more is queued or written. */
  protected closed = false;

  protected constructor(
    private readonly maxBytes: number,
    private readonly flusher: OutputFlusher,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes the socket holds back (written, not yet taken by the kernel). */
  protected abstract backlog(): number;
  /** Runs writeFlushing inside the socket's cork. */
  protected abstract corkAndWrite(): void;
  /** Writes one chunk; called inside a cork. */
  protected abstract writeChunk(chunk: Chunk, size: number): void;

  /** Bytes waiting: queued here and held back by the socket. */
  get pendingBytes(): number {
    return this.backlog() + this.queuedBytes;
  }

  protected enqueue(chunk: Chunk): WriteOutcome {
    if (this.isClosed) return 'dropped';
    const size = byteLength(chunk);
    // What is queued meets the socket before a chunk would take the queue past FLUSH_AT_BYTES,
    // so the cap below is checked against what the socket really holds back.
    if (this.queued && this.queuedBytes + size > FLUSH_AT_BYTES) {
      this.flush();
      if (this.isClosed) return 'dropped';
    }
    const backlog = this.backlog();
    if (backlog + this.queuedBytes + size > this.maxBytes) return 'dropped';
    if (this.queued) this.queued.push(chunk);
    else {
      this.queued = [chunk];
      this.flusher.schedule(this);
    }
    this.queuedBytes += size;
    if (this.queuedBytes >= FLUSH_AT_BYTES) this.flush();
    return backlog > 0 ? 'buffered' : 'sent';
  }

  flush(): void {
    if (this.isClosed || !this.queued) return;
    // The cork callback reads the output from here: one shared function instead of a closure per connection.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    flushing = this;
    this.corkAndWrite();
    flushing = undefined;
  }

  /** Writes what is queued; called inside a cork. */
  writeQueued(): void {
    const chunks = this.queued;
    if (!chunks) return;
    this.queued = undefined;
    this.queuedBytes = 0;
    for (const chunk of chunks) {
      this.writeChunk(chunk, byteLength(chunk));
      if (this.isClosed) return;
    }
  }

  protected discardQueue(): void {
    this.queued = undefined;
    this.queuedBytes = 0;
  }
}
