import type { Grant } from '@tidings/auth';
import { InlineMap } from '@tidings/core';
import type { Metrics } from '@tidings/observability';
import { CLOSE, encodeServerFrame, type ServerFrame } from '@tidings/protocol';
import { type Chunk, type OutputFlusher, type OverflowListener, type WebSocket, WsOutput } from '@tidings/transport-uws';
import type { SubscriptionCounts } from '../node/subscription-counts.js';
import type { Session } from './session-registry.js';
import type { WsSink } from './ws-sink.js';

/**
 * One WebSocket's state, the node's handle on it (a Session) and its only way out: every frame it
 * sends, replies and events alike, goes through one queued writer, so they keep their order. uWS
 * copies user data property by property, so the socket carries `{ conn }` and this lives there.
 */
/** What a WebSocket needs of its node: one object shared by all of them (the node's context fits). */
export interface WsConnectionDeps {
  readonly metrics: Metrics;
  readonly subscriptionCounts: SubscriptionCounts;
}

const SETTLED: Promise<void> = Promise.resolve();

export class WsConnection implements Session, OverflowListener {
  readonly transport = 'ws';
  /** Closes a connection that never authenticates. */
  authTimer: NodeJS.Timeout | undefined;
  /** Its subscriptions by the channel or pattern the client named. */
  readonly subscriptions = new InlineMap<string, WsSink>();
  closed = false;
  protocolErrors = 0;
  /** Claims of consumer groups waiting for work (they run beside the frame queue). */
  claims = 0;
  /** Frames received and not yet handled (count and text length), and the end of their chain. */
  queued = 0;
  queuedBytes = 0;
  done: Promise<void> = SETTLED;
  private output: WsOutput | undefined;
  private drainWaiters: (() => void)[] | undefined;

  constructor(
    private readonly deps: WsConnectionDeps,
    /** What the connection may do; undefined until its first frame, `auth`, gives a token. */
    public grant: Grant | undefined,
    /** The device this connection speaks for (`?device=` or a subscribe frame's `device`). */
    public device: string | undefined,
    /** Its places under the connection limits, given back on close. */
    readonly slots: (() => void)[],
  ) {}

  /** Every frame received has been handled. */
  settled(): void {
    this.done = SETTLED;
  }

  get expiresAt(): number | undefined {
    return this.grant?.expiresAt;
  }

  /** uWS opened the socket: frames may go out, at most `maxBytes` of them waiting. */
  opened(ws: WebSocket<unknown>, maxBytes: number, flusher: OutputFlusher): void {
    this.output = new WsOutput(ws, maxBytes, flusher, this);
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

  /** Subscribes `sink` under its name, ending a subscription of the same name first (subscribing again moves the position). */
  replace(sink: WsSink): void {
    const previous = this.subscriptions.get(sink.name);
    previous?.close();
    this.subscriptions.set(sink.name, sink);
    if (!previous) this.deps.subscriptionCounts.add([sink.name]);
  }

  /** Ends one subscription (unless another has replaced it); false when there was none. */
  drop(name: string, only?: WsSink): boolean {
    const sink = this.subscriptions.get(name);
    if (!sink || (only && sink !== only)) return false;
    sink.close();
    this.subscriptions.delete(name);
    this.deps.subscriptionCounts.remove([name]);
    return true;
  }

  /** uWS closed the socket (either side): nothing may touch it any more; every subscription ends. */
  closedBySocket(): void {
    this.closed = true;
    this.output?.markClosed();
    this.drained();
    const names = [...this.subscriptions.keys()];
    for (const sink of this.subscriptions.values()) sink.close();
    this.subscriptions.clear();
    this.deps.subscriptionCounts.remove(names);
  }

  /** uWS pings WebSockets itself, and closes those that stop answering. */
  heartbeat(): void {}

  expire(): void {
    this.end(CLOSE.TOKEN_EXPIRED, 'token expired: authenticate again and resume');
  }

  closeForShutdown(): void {
    this.end(CLOSE.GOING_AWAY, 'server shutting down');
  }

  /** uWS refused a frame at its own limit: the same as passing ours. */
  overflowed(): void {
    this.slowConsumer();
  }

  private slowConsumer(): void {
    if (this.closed) return;
    this.deps.metrics.slowConsumerDisconnectsTotal.inc({ transport: 'ws' });
    this.closed = true;
    this.output?.end(CLOSE.SLOW_CONSUMER, 'slow consumer: resume from your last id', true);
  }
}
