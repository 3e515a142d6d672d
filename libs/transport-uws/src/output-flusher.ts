/** A connection whose queued output the flusher writes. */
export interface Flushable {
  flush(): void;
}

/** What a connection's writer answers: queued (and not backed up), queued behind a backlog, or refused over its cap. */
export type WriteOutcome = 'sent' | 'buffered' | 'dropped';

/** Text or bytes a connection writes; prepared events are bytes, shared by every connection. */
export type Chunk = string | Uint8Array;

/**
 * A connection with this much queued writes at once rather than at the end of the turn: past it,
 * one write per turn gains nothing (uWS' cork buffer is 16 KiB), and a page of history must meet
 * the socket — and the slow-consumer cap — as it is written, not all in one go.
 */
export const FLUSH_AT_BYTES = 16 * 1024;

export function byteLength(chunk: Chunk): number {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
}

/**
 * Writes each connection's queued output once per event-loop turn: everything a connection was
 * handed during a turn (several events, several channels) leaves in one corked write. A lone
 * write to a socket costs far more than the bytes it carries; this is where they are shared.
 */
export class OutputFlusher {
  private queue: Flushable[] = [];
  private scheduled = false;

  /** `output` has something queued: write it at the end of this turn (once, however often it is scheduled per turn). */
  schedule(output: Flushable): void {
    this.queue.push(output);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    for (const output of queue) output.flush();
  };
}
