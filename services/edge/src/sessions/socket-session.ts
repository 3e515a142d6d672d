import { InlineMap } from '@tidings/core';
import type { Logger, Metrics } from '@tidings/observability';
import { CLOSE, isTidingsError } from '@tidings/protocol';
import type { Chunk, OverflowListener, SessionOutput } from '@tidings/transport-uws';
import type { SubscriptionCounts } from '../node/subscription-counts.js';
import { closeReason } from './close-reason.js';
import type { Session } from './session-registry.js';

/** What a WebSocket session needs of its node: one object shared by all of them (the node's context fits). */
export interface SocketSessionDeps {
  readonly metrics: Metrics;
  readonly subscriptionCounts: SubscriptionCounts;
}

/** One named subscription of a session (a WebSocket `subscribe`, an MQTT topic filter). */
export interface NamedSink {
  readonly name: string;
  close(): void;
}

/**
 * What every socket session shares, whatever its protocol (Tidings JSON frames, MQTT) and carrier
 * (a WebSocket, or TCP for MQTT): its only way out, one queued output under the slow-consumer cap,
 * so replies and events keep their order; its subscriptions by name; its places under the
 * connection limits. uWS copies user data property by property, so a WebSocket carries `{ conn }`
 * and this lives there.
 */
export abstract class SocketSession<S extends NamedSink> implements Session, OverflowListener {
  /** A getter in each class, as every per-class constant of a session: on the prototype, not in each of 100k instances. */
  abstract readonly transport: 'ws' | 'mqtt';
  abstract readonly expiresAt: number | undefined;
  /** Its subscriptions by the channel, pattern or filter the client named. */
  readonly subscriptions = new InlineMap<string, S>();
  closed = false;
  /** Closes a connection that never authenticates. */
  handshakeTimer: NodeJS.Timeout | undefined;
  private output: SessionOutput | undefined;
  private drainWaiters: (() => void)[] | undefined;

  protected constructor(
    private readonly deps: SocketSessionDeps,
    /** Its places under the connection limits, given back on close. */
    private slots: readonly (() => void)[],
  ) {}

  abstract expire(): void;
  abstract closeForShutdown(retryMs: number): void;

  /** The socket is open: frames may go out through `output`. */
  opened(output: SessionOutput): void {
    this.output = output;
  }

  /**
   * One more place under the connection limits (the principal's, once credentials arrive). The
   * list is copied at its exact length: pushing (or spreading) leaves room for 17 more on every
   * connection, 144 bytes held for its life; concat allocates what it holds.
   */
  holdSlot(release: () => void): void {
    this.slots = this.slots.concat(release);
  }

  /** Gives back every place under the connection limits: on close, or when the upgrade is abandoned. */
  releaseSlots(): void {
    const slots = this.slots;
    this.slots = [];
    for (const release of slots) release();
  }

  /** Credentials arrived: the handshake deadline no longer applies, and its timer is let go (an idle connection holds none). */
  authenticated(): void {
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
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
    this.output?.end(code, closeReason(reason));
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
  replace(sink: S): void {
    const previous = this.subscriptions.get(sink.name);
    previous?.close();
    this.subscriptions.set(sink.name, sink);
    if (!previous) this.deps.subscriptionCounts.add([sink.name]);
  }

  /** Ends one subscription (unless another has replaced it); false when there was none. */
  drop(name: string, only?: S): boolean {
    const sink = this.subscriptions.get(name);
    if (!sink || (only && sink !== only)) return false;
    sink.close();
    this.subscriptions.delete(name);
    this.deps.subscriptionCounts.remove([name]);
    return true;
  }

  /**
   * A subscription cannot go on. One that asked for more than it may (too many channels) ends
   * alone: true, so the caller can say why. Anything else ends the connection; the client resumes.
   */
  subscriptionFailed(name: string, error: unknown, logger: Logger): boolean {
    if (this.closed) return false;
    if (isTidingsError(error) && error.status < 500) {
      this.drop(name);
      return true;
    }
    logger.warn({ err: error, transport: this.transport }, 'subscription failed; client will resume');
    this.end(CLOSE.UNAVAILABLE, 'event store unreachable; resume shortly');
    return false;
  }

  /** uWS closed the socket (either side): nothing may touch it any more; every subscription ends, every slot is given back. */
  closedBySocket(): void {
    this.closed = true;
    clearTimeout(this.handshakeTimer);
    this.output?.markClosed();
    this.drained();
    const names = [...this.subscriptions.keys()];
    for (const sink of this.subscriptions.values()) sink.close();
    this.subscriptions.clear();
    this.deps.subscriptionCounts.remove(names);
    this.releaseSlots();
  }

  /** uWS pings WebSockets itself, and closes those that stop answering. */
  heartbeat(_now: number): void {}

  /** uWS refused a frame at its own limit: the same as passing ours. */
  overflowed(): void {
    this.slowConsumer();
  }

  private slowConsumer(): void {
    if (this.closed) return;
    this.deps.metrics.slowConsumerDisconnectsTotal.inc({ transport: this.transport });
    this.closed = true;
    this.output?.end(CLOSE.SLOW_CONSUMER, 'slow consumer: resume from your last id', true);
  }
}
