import type { EventBatch, LogGap, LoggedEvent, Subscription, SubscriptionSink } from '@tidings/core';
import type { Logger, Metrics } from '@tidings/observability';
import type { DeviceSession, DeviceTracker, RedeliveryTarget } from '../node/device-tracker.js';
import type { MqttConnection } from './mqtt-connection.js';

export interface MqttSinkDeps {
  readonly metrics: Metrics;
  readonly devices: DeviceTracker;
  readonly logger: Logger;
}

/**
 * One subscribed filter of an MQTT connection: its events as PUBLISH packets at the granted QoS,
 * held until the SUBACK has gone out, and what it holds (the subscription, the device's
 * membership) until it ends.
 */
export class MqttSink implements SubscriptionSink, RedeliveryTarget {
  readonly owedOnConnect = true;
  private held: { event: LoggedEvent; dup: boolean }[] | undefined = [];
  /** The channel's newest event before the subscription began, sent first with RETAIN set. */
  private retained: LoggedEvent | undefined;
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

  retain(event: LoggedEvent | undefined): void {
    this.retained = event;
  }

  /** The SUBACK went out: the retained message and what was held follow it. */
  open(): void {
    const held = this.held ?? [];
    this.held = undefined;
    if (this.retained) this.conn.publish(this.retained, this.qos, false, true);
    this.retained = undefined;
    for (const { event, dup } of held) this.conn.publish(event, dup ? 1 : this.qos, dup);
    this.written(held.map((h) => h.event));
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

  /** MQTT has no way to name lost events: counted and logged, the rest follows. */
  reset(gap: LogGap): void {
    this.deps.metrics.resetsTotal.inc({ reason: gap.reason });
    this.deps.logger.debug({ gap, filter: this.name }, 'mqtt subscriber skipped events it could no longer get');
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
