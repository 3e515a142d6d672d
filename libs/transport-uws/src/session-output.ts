import type { Chunk, WriteOutcome } from './output-flusher.js';
import { QueuedOutput } from './queued-output.js';

/** A long-lived connection's only way out, whatever carries it (a WebSocket, a TCP socket). */
export interface SessionOutput {
  /** Queues one frame or packet for this turn's write; 'dropped' past the cap. */
  send(chunk: Chunk): WriteOutcome;
  /** Whether the socket holds bytes it has not taken yet (its drain event follows). */
  readonly congested: boolean;
  /** Closes after what is queued (a WebSocket with `code` and `reason`), or at once with `discard`. */
  end(code: number, reason: string, discard?: boolean): void;
  /** The socket closed by itself: nothing may touch it any more. */
  markClosed(): void;
}

/** What a WebSocket's and a TCP socket's outputs share: frames and packets go through the queue. */
export abstract class SocketOutput extends QueuedOutput implements SessionOutput {
  abstract get congested(): boolean;
  abstract end(code: number, reason: string, discard?: boolean): void;

  send(chunk: Chunk): WriteOutcome {
    return this.enqueue(chunk);
  }

  markClosed(): void {
    this.closed = true;
    this.discardQueue();
  }
}
