import type { Grant } from '@tidings/auth';
import type { Subscription } from '@tidings/core';
import type { Metrics } from '@tidings/observability';
import { CLOSE, encodeServerFrame, type ServerFrame } from '@tidings/protocol';
import { type Chunk, type OutputFlusher, type WebSocket, WsOutput } from '@tidings/transport-uws';
import type { Session } from './session-registry.js';

/**
 * One WebSocket's state, the node's handle on it (a Session) and its only way out: every frame it
 * sends, replies and events alike, goes through one queued writer, so they keep their order. uWS
 * copies user data property by property, so the socket carries `{ conn }` and this lives there.
 */
export class WsConnection implements Session {
  readonly transport = 'ws';
  /** Closes a connection that never authenticates. */
  authTimer: NodeJS.Timeout | undefined;
  readonly subscriptions = new Map<string, Subscription>();
  /** What each subscription holds (the device's membership, a presence watch), released when it ends. */
  readonly releases = new Map<string, () => void>();
  closed = false;
  protocolErrors = 0;
  /** Frames received and not yet handled (count and text length), and the end of their chain. */
  queued = 0;
  queuedBytes = 0;
  done: Promise<void> = Promise.resolve();
  private output: WsOutput | undefined;
  private drainWaiters: (() => void)[] | undefined;

  constructor(
    private readonly metrics: Metrics,
    /** What the connection may do; undefined until its first frame, `auth`, gives a token. */
    public grant: Grant | undefined,
    /** The device this connection speaks for (`?device=` or a subscribe frame's `device`). */
    public device: string | undefined,
    /** Its places under the connection limits, given back on close. */
    readonly slots: (() => void)[],
  ) {}

  get expiresAt(): number | undefined {
    return this.grant?.expiresAt;
  }

  /** uWS opened the socket: frames may go out, at most `maxBytes` of them waiting. */
  opened(ws: WebSocket<unknown>, maxBytes: number, flusher: OutputFlusher): void {
    this.output = new WsOutput(ws, maxBytes, flusher, () => this.slowConsumer());
  }

  send(frame: ServerFrame): void {
    this.sendRaw(encodeServerFrame(frame));
  }

  /** Queues one frame; a socket whose buffer is full is closed with a reason and resumes elsewhere. */
  sendRaw(frame: Chunk): void {
    if (this.closed || !this.output) return;
    if (this.output.send(frame) === 'dropped') this.slowConsumer();
  }

  /** Closes after what is queued. */
  end(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.output?.end(code, reason);
  }

  /** null when the socket takes more now, else resolves once uWS has drained it (or it closed). */
  congestion(): Promise<void> | null {
    if (this.closed || !this.output?.congested) return null;
    return new Promise((resolve) => (this.drainWaiters ??= []).push(resolve));
  }

  drained(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = undefined;
    for (const resolve of waiters ?? []) resolve();
  }

  /** uWS closed the socket (either side): nothing may touch it any more. */
  closedBySocket(): void {
    this.closed = true;
    this.output?.markClosed();
    this.drained();
  }

  /** uWS pings WebSockets itself, and closes those that stop answering. */
  heartbeat(): void {}

  expire(): void {
    this.end(CLOSE.TOKEN_EXPIRED, 'token expired: authenticate again and resume');
  }

  closeForShutdown(): void {
    this.end(CLOSE.GOING_AWAY, 'server shutting down');
  }

  private slowConsumer(): void {
    if (this.closed) return;
    this.metrics.slowConsumerDisconnectsTotal.inc({ transport: 'ws' });
    this.closed = true;
    this.output?.end(CLOSE.SLOW_CONSUMER, 'slow consumer: resume from your last id', true);
  }
}
