import type { WebSocket } from 'uWebSockets.js';
import type { Chunk, OutputFlusher } from './output-flusher.js';
import { writeFlushing } from './queued-output.js';
import { SocketOutput } from './session-output.js';

/** Told when uWS refused a frame at its own limit (set above ours, so only if configured lower). */
export interface OverflowListener {
  overflowed(): void;
}

/**
 * A WebSocket's outgoing frames (text, or binary for protocols such as MQTT), written through a
 * QueuedOutput. Every frame of the connection goes through here, so replies and events keep their order.
 */
export class WsOutput extends SocketOutput {
  private overflowed = false;

  constructor(
    private readonly ws: WebSocket<unknown>,
    maxBytes: number,
    flusher: OutputFlusher,
    private readonly overflow: OverflowListener,
    private readonly binary = false,
  ) {
    super(maxBytes, flusher);
  }

  /** Whether uWS holds frames the socket has not taken yet. */
  get congested(): boolean {
    return !this.closed && this.ws.getBufferedAmount() > 0;
  }

  override flush(): void {
    super.flush();
    if (this.overflowed && !this.closed) this.overflow.overflowed();
  }

  /** Closes with a code after what is queued, unless `discard` (a slow consumer's queue is not worth sending). */
  end(code: number, reason: string, discard = false): void {
    if (this.closed) return;
    if (discard) this.discardQueue();
    this.ws.cork(() => {
      this.writeQueued();
      this.ws.end(code, reason);
    });
    this.markClosed();
  }

  protected backlog(): number {
    return this.closed ? 0 : this.ws.getBufferedAmount();
  }

  protected corkAndWrite(): void {
    this.ws.cork(writeFlushing);
  }

  protected writeChunk(frame: Chunk): void {
    if (this.overflowed || this.ws.send(frame, this.binary, false) !== 2) return;
    this.overflowed = true;
  }
}
