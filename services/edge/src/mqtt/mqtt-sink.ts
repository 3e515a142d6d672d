import type { EventBatch, LogGap, LoggedEvent, Subscription, SubscriptionSink } from '@tidings/core';
import type { Logger, Metrics } from '@tidings/observability';
import { compareStreamIds } from '@tidings/protocol';
import type { DeviceSession, DeviceTracker, RedeliveryTarget } from '../node/device-tracker.js';
import type { MqttConnection } from './mqtt-connection.js';

export interface MqttSinkDeps {
  readonly metrics: Metrics;
  readonly devices: DeviceTracker;
  readonly logger: Logger;
}

/** No retained messages: one shared empty list, not one per subscription held for its life. */
const NO_EVENTS: readonly LoggedEvent[] = Object.freeze([]);

/**
 * One subscribed filter of an MQTT connection: its events as PUBLISH packets at the granted QoS,
 * held until the SUBACK has gone out, and what it holds (the subscription, the device's
 * membership) until it ends.
 */
export class MqttSink implements SubscriptionSink, RedeliveryTarget {
  get owedOnConnect(): true {
    return true;
  }
  /** Events (and lost-event notices) waiting for the SUBACK, in order. */
  private held: ({ event: LoggedEvent; dup: boolean } | { gap: LogGap })[] | undefined = [];
  /** The newest event of each matching channel when the subscription began, sent first with RETAIN set. */
  private retained = NO_EVENTS;
  private subscription: Subscription | undefined;
  private closed = false;

  constructor(
    private readonly deps: MqttSinkDeps,
    private readonly conn: MqttConnection,
    /** The topic filter as the client named it. */
    readonly name: string,
    private readonly qos: 0 | 1,
    private readonly device: DeviceSession | undefined,
  ) {
    device?.attach(this);
  }

  follow(subscription: Subscription): void {
    this.subscription = subscription;
  }

  retain(events: readonly LoggedEvent[]): void {
    this.retained = events;
  }

  /**
   * The SUBACK went out: the retained messages and what was held follow it. A retained event that
   * the live path already holds (or holds a newer one of) is left out: nothing twice, nothing older after newer.
   */
  open(): void {
    const held = this.held ?? [];
    this.held = undefined;
    const firstLive = new Map<string, string>();
    for (const h of held) if ('event' in h && !firstLive.has(h.event.channel)) firstLive.set(h.event.channel, h.event.id);
    for (const event of this.retained) {
      const live = firstLive.get(event.channel);
      if (live === undefined || compareStreamIds(event.id, live) < 0) this.conn.publish(event, this.qos, false, true);
    }
    this.retained = NO_EVENTS;
    const events: LoggedEvent[] = [];
    for (const h of held) {
      if ('gap' in h) this.conn.notifyReset(h.gap, this.name, this.qos);
      else {
        this.conn.publish(h.event, h.dup ? 1 : this.qos, h.dup);
        events.push(h.event);
      }
    }
    this.written(events);
    const subscription = this.subscription;
    if (subscription) this.device?.followPatterns(() => subscription.positions());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.subscription?.close();
    this.device?.release();
  }

  events(batch: EventBatch): void {
    for (const event of batch.events) this.push(event, false);
    this.deps.metrics.deliveries.mqtt += batch.events.length;
    if (!this.held) this.written(batch.events);
  }

  /** A worker retry: the same event again, marked DUP (QoS 1 whatever was granted, so its PUBACK can be its receipt). */
  redeliver(event: LoggedEvent): void {
    if (this.held) this.held.push({ event, dup: true });
    else {
      this.conn.publish(event, 1, true);
      this.written([event]);
    }
    this.deps.metrics.redeliveredTotal.inc({ transport: 'mqtt' });
  }

  /** Events the subscriber can no longer get: said on the reserved topic `$tidings/reset` (ADR 16), then the rest follows. */
  reset(gap: LogGap): void {
    this.deps.metrics.resetsTotal.inc({ reason: gap.reason });
    if (this.held) this.held.push({ gap });
    else this.conn.notifyReset(gap, this.name, this.qos);
  }

  congestion(): Promise<void> | null {
    return this.conn.congestion();
  }

  /** MQTT cannot say why after the SUBACK: a filter over its channel limit just ends. */
  failed(error: unknown): void {
    this.conn.subscriptionFailed(this.name, error, this.deps.logger);
  }

  private push(event: LoggedEvent, dup: boolean): void {
    if (this.held) this.held.push({ event, dup });
    else this.conn.publish(event, this.qos, dup);
  }

  /** The device's position moves only once events went to the socket, not while held. */
  private written(events: readonly LoggedEvent[]): void {
    if (this.conn.device && events.length > 0) this.deps.devices.delivered(events, this.conn.device);
  }
}
