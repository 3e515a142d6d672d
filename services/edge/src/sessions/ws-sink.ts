import type { EventBatch, LogGap, LoggedEvent, PresenceChange, Subscription, SubscriptionSink } from '@tidings/core';
import type { Logger, Metrics } from '@tidings/observability';
import { encodeServerFrame, isTidingsError, type ServerFrame } from '@tidings/protocol';
import type { Chunk } from '@tidings/transport-uws';
import type { DeviceSession, DeviceTracker, RedeliveryTarget } from '../node/device-tracker.js';
import type { PresenceListener } from '../node/presence-watchers.js';
import { wsEventFrame, wsRedeliveryFrame } from './event-frames.js';
import type { WsConnection } from './ws-connection.js';

/** What a WebSocket subscription needs of its node: one object shared by all of them (the node's context fits). */
export interface WsSinkDeps {
  readonly metrics: Metrics;
  readonly devices: DeviceTracker;
  readonly logger: Logger;
}

/**
 * One `subscribe` of a WebSocket: its events as frames, held until its `subscribed` reply has gone
 * out, and what it holds (the subscription, the device's membership, a presence watch) until it ends.
 */
export class WsSink implements SubscriptionSink, RedeliveryTarget, PresenceListener {
  get owedOnConnect(): true {
    return true;
  }
  private held: Chunk[] | undefined = [];
  /** A device's events among `held`, written (for its position) only once sent. */
  private heldEvents: LoggedEvent[] | undefined;
  private subscription: Subscription | undefined;
  private stopWatchingPresence: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly deps: WsSinkDeps,
    private readonly conn: WsConnection,
    /** The channel or pattern as the client named it. */
    readonly name: string,
    /** The pattern its event frames name, for a pattern subscription. */
    private readonly pattern: string | undefined,
    private readonly device: DeviceSession | undefined,
  ) {
    device?.attach(this);
  }

  follow(subscription: Subscription): void {
    this.subscription = subscription;
  }

  watchPresence(stop: () => void): void {
    this.stopWatchingPresence = stop;
  }

  /** Ends the subscription and gives back what it holds. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.subscription?.close();
    this.stopWatchingPresence?.();
    this.device?.release();
  }

  open(reply: ServerFrame): void {
    const held = this.held ?? [];
    this.held = undefined;
    this.conn.send(reply);
    for (const frame of held) this.conn.sendRaw(frame);
    if (this.conn.device && this.heldEvents) this.deps.devices.delivered(this.heldEvents, this.conn.device);
    this.heldEvents = undefined;
  }

  events(batch: EventBatch): void {
    for (const event of batch.events) this.push(wsEventFrame(event, this.pattern));
    this.deps.metrics.deliveries.ws += batch.events.length;
    if (this.conn.device) this.written(batch.events);
  }

  presenceChanged(change: PresenceChange): void {
    const { channel, device, node, action, reason } = change;
    this.push(encodeServerFrame({ type: 'presence', channel, device, node, action, ...(reason ? { reason } : {}) }));
  }

  redeliver(event: LoggedEvent): void {
    this.push(wsRedeliveryFrame(event));
    this.deps.metrics.redeliveredTotal.inc({ transport: 'ws' });
    if (this.conn.device) this.written([event]);
  }

  reset(gap: LogGap): void {
    this.deps.metrics.resetsTotal.inc({ reason: gap.reason });
    const { channel, lostFrom, lostTo, reason } = gap;
    this.push(encodeServerFrame({ type: 'reset', channel, lostFrom, lostTo, reason, ...(this.pattern ? { subscription: this.pattern } : {}) }));
  }

  congestion(): Promise<void> | null {
    return this.conn.congestion();
  }

  failed(error: unknown): void {
    if (this.conn.subscriptionFailed(this.name, error, this.deps.logger) && isTidingsError(error)) {
      this.conn.send({ type: 'error', code: error.code, message: error.message, channel: this.name });
    }
  }

  /** The device's position moves only once the events have gone to the socket, not while held. */
  private written(events: readonly LoggedEvent[]): void {
    if (this.held) (this.heldEvents ??= []).push(...events);
    else this.deps.devices.delivered(events, this.conn.device!);
  }

  private push(frame: Chunk): void {
    if (this.held) this.held.push(frame);
    else this.conn.sendRaw(frame);
  }
}
