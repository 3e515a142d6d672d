import type { Socket } from 'node:net';
import type { Chunk, OutputFlusher } from './output-flusher.js';
import { writeFlushing } from './queued-output.js';
import { SocketOutput } from './session-output.js';

/** A peer that neither reads nor closes gets this long after our end before the socket is destroyed. */
const END_GRACE_MS = 5000;

/**
 * A plain TCP connection's outgoing bytes (MQTT on its own port), written through a QueuedOutput
 * like a WebSocket's frames: same queue, same cap, same once-per-turn corked write. Node's socket
 * buffer is the backlog the cap counts. TCP has no close code: `end` only says goodbye with FIN
 * (the protocol above says why first, where it can).
 */
export class TcpOutput extends SocketOutput {
  constructor(
    private readonly socket: Socket,
    maxBytes: number,
    flusher: OutputFlusher,
  ) {
    super(maxBytes, flusher);
  }

  /** Whether the socket holds bytes the kernel has not taken yet ('drain' follows). */
  get congested(): boolean {
    return !this.closed && this.socket.writableNeedDrain;
  }

  /** Ends after what is queued, unless `discard` (a slow consumer's queue is not worth sending: the socket goes at once). */
  end(_code: number, _reason: string, discard = false): void {
    if (this.closed) return;
    if (discard) {
      this.markClosed();
      this.socket.destroy();
      return;
    }
    this.flush();
    this.markClosed();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), END_GRACE_MS).unref();
  }

  protected backlog(): number {
    return this.closed ? 0 : this.socket.writableLength;
  }

  protected corkAndWrite(): void {
    this.socket.cork();
    writeFlushing();
    this.socket.uncork();
  }

  protected writeChunk(chunk: Chunk): void {
    this.socket.write(chunk);
  }
}
