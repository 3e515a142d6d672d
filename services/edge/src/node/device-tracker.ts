import {
  deviceResumePoint,
  type DeviceResumePoint,
  type DeviceStore,
  type EventLog,
  type KeptQos,
  type LoggedEvent,
  type PresenceStore,
  type ReceiptStore,
  type Redelivery,
} from '@tidings/core';
import type { Logger } from '@tidings/observability';
import type { StreamId } from '@tidings/protocol';
import { DeliveryMarks } from './delivery-marks.js';
import { DevicePositions, type PatternFollower } from './device-positions.js';

/** Connected devices renew their memberships at least this often (more often under a short idle limit). */
const MEMBERSHIP_REFRESH_MS = 60_000;
/** Owed redeliveries sent to a device per channel when it connects. */
const OWED_PER_CONNECT = 100;

/** A connection speaking for a device, able to take an ack event again out of stream order. */
export interface RedeliveryTarget {
  redeliver(event: LoggedEvent): void;
  /**
   * Whether the device also gets what it owes as soon as it connects. Not for long-poll: each
   * poll is a connect, so a client that never answers would be sent the same events in a loop.
   */
  readonly owedOnConnect: boolean;
}

/** One connection's standing as a device, from its join until it is released. */
export interface DeviceSession {
  /** Where the device resumes when the client brings no cursor of its own, and the lapses to report first. */
  readonly resume: DeviceResumePoint;
  /** From now on `target` takes the device's redeliveries on its exact channels (and what it is owed). */
  attach(target: RedeliveryTarget): void;
  /** From now on the device's durable patterns are saved from these positions (call once they are written). */
  followPatterns(positions: () => ReadonlyMap<string, StreamId>): void;
  /** The connection ended: positions are saved, presence left, redeliveries stop. Idempotent. */
  release(): void;
}

export interface DeviceTrackerOptions {
  readonly log: EventLog;
  readonly store: DeviceStore;
  readonly receipts: ReceiptStore;
  readonly presence: PresenceStore;
  readonly node: string;
  readonly presenceRefreshMs: number;
  readonly membershipIdleMs: number;
  readonly logger: Logger;
  /** After each presence report: how many device-on-channel entries this node reported. */
  readonly presenceReported?: (entries: number) => void;
}

interface Connection {
  target: RedeliveryTarget | undefined;
}

/**
 * The node's side of durable devices, receipts and presence: which devices are connected here
 * (renewing their memberships, durable patterns and presence in batches, never a timer per
 * connection), where each resumes, which events were written to them, and where the worker's
 * redeliveries for them go.
 */
export class DeviceTracker {
  /** exact channel → device → its connections here. */
  private readonly connected = new Map<string, Map<string, Set<Connection>>>();
  /** Persistent MQTT sessions connected here (device → connections), whose kept filters are renewed with the memberships. */
  private readonly keptSessions = new Map<string, number>();
  private readonly positions: DevicePositions;
  private readonly marks: DeliveryMarks;
  private readonly refreshTimer: NodeJS.Timeout;
  private readonly presenceTimer: NodeJS.Timeout;

  constructor(private readonly options: DeviceTrackerOptions) {
    this.positions = new DevicePositions(options.store, options.logger);
    this.marks = new DeliveryMarks(options.receipts, options.logger);
    const refreshMs = Math.min(MEMBERSHIP_REFRESH_MS, options.membershipIdleMs / 4);
    this.refreshTimer = setInterval(() => void this.renew(), refreshMs);
    this.presenceTimer = setInterval(() => void this.reportPresence(), options.presenceRefreshMs);
  }

  /**
   * Makes `device` a member of `channels` and a durable follower of `patterns`, and present, now
   * (awaited: an ack publish right after must expect it), and says where it resumes. The patterns
   * come first: a device over its allowance is refused before anything else changes.
   */
  async join(device: string, channels: readonly string[], patterns: readonly string[]): Promise<DeviceSession> {
    const { store, presence, node } = this.options;
    const patternStandings = await store.joinPatterns(device, patterns);
    const [channelStandings] = await Promise.all([
      Promise.all(channels.map((channel) => store.join(channel, device))),
      ...channels.map((channel) => presence.refresh(channel, node, [device])),
    ]);
    const connection: Connection = { target: undefined };
    for (const channel of channels) this.connections(channel, device).add(connection);
    const follower: PatternFollower | undefined = patterns.length > 0 ? { device, patterns, positions: undefined } : undefined;
    if (follower) this.positions.follow(follower);
    let released = false;
    return {
      resume: deviceResumePoint(channelStandings, patternStandings),
      attach: (target) => {
        if (released) return;
        connection.target = target;
        if (target.owedOnConnect) void this.sendOwed(device, channels, connection);
      },
      followPatterns: (positions) => {
        if (follower) follower.positions = positions;
      },
      release: () => {
        if (released) return;
        released = true;
        connection.target = undefined;
        void this.positions.unfollow(follower); // before the leave below: once presence shows it gone, its position is stored
        this.leave(device, channels, connection);
      },
    };
  }

  /** The device stops following a pattern (an explicit unsubscribe): its durable record goes. */
  async leavePattern(device: string, pattern: string): Promise<void> {
    await this.options.store.leavePattern(device, pattern);
  }

  /** A persistent MQTT session's kept filters (ADR 16); empty when it has none. */
  keptFilters(device: string): Promise<Map<string, KeptQos>> {
    return this.options.store.keptFilters(device);
  }

  /** Keeps one more filter of a persistent MQTT session; false when it already keeps `max`. */
  keepFilter(device: string, filter: string, qos: KeptQos, max: number): Promise<boolean> {
    return this.options.store.keepFilters(device, new Map([[filter, qos]]), max);
  }

  /** Forgets some of a session's kept filters, or all of them (`undefined`: a clean start). */
  dropFilters(device: string, filters: readonly string[] | undefined): Promise<void> {
    return this.options.store.dropFilters(device, filters);
  }

  /** A persistent MQTT session is connected here: its kept filters are renewed until the returned release. */
  holdSession(device: string): () => void {
    this.keptSessions.set(device, (this.keptSessions.get(device) ?? 0) + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const left = this.keptSessions.get(device)! - 1;
      if (left === 0) this.keptSessions.delete(device);
      else this.keptSessions.set(device, left);
      // Kept for the full time from the moment it left, like its memberships.
      this.options.store.renewFilters(device).catch((error: unknown) => this.options.logger.warn({ err: error, device }, 'could not renew kept MQTT filters'));
    };
  }

  /** The worker's redelivery: written again to every connection here of the devices it names. */
  redeliver({ event, devices }: Redelivery): number {
    let written = 0;
    const here = this.connected.get(event.channel);
    for (const device of devices) {
      for (const { target } of here?.get(device) ?? []) {
        if (!target) continue;
        target.redeliver(event);
        written += 1;
      }
    }
    return written;
  }

  /** These events were written to one of the device's connections. */
  delivered(events: readonly LoggedEvent[], device: string): void {
    for (const event of events) {
      this.positions.moved(event.channel, event.id, device, this.connected.get(event.channel)?.has(device) === true);
      if (event.ack) this.marks.add(event, device);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.refreshTimer);
    clearInterval(this.presenceTimer);
    await Promise.all([this.marks.flush(), this.positions.flush()]);
  }

  private connections(channel: string, device: string): Set<Connection> {
    let devices = this.connected.get(channel);
    if (!devices) this.connected.set(channel, (devices = new Map()));
    let connections = devices.get(device);
    if (!connections) devices.set(device, (connections = new Set()));
    return connections;
  }

  private leave(device: string, channels: readonly string[], connection: Connection): void {
    const { presence, node, logger } = this.options;
    for (const channel of channels) {
      const devices = this.connected.get(channel);
      const connections = devices?.get(device);
      connections?.delete(connection);
      if (connections?.size === 0) {
        devices!.delete(device);
        presence.leave(channel, node, [device]).catch((error: unknown) => logger.warn({ err: error, channel }, 'could not record a leave'));
      }
      if (devices?.size === 0) this.connected.delete(channel);
    }
  }

  /** Ack events the worker already redelivered to the device while it was away. */
  private async sendOwed(device: string, channels: readonly string[], connection: Connection): Promise<void> {
    const { receipts, log, logger } = this.options;
    for (const channel of channels) {
      try {
        for (const id of await receipts.owed(channel, device, OWED_PER_CONNECT)) {
          const event = await log.read(channel, id);
          if (event && connection.target && this.connected.get(channel)?.get(device)?.has(connection)) connection.target.redeliver(event);
        }
      } catch (error) {
        logger.warn({ err: error, channel, device }, 'could not send owed redeliveries; the worker will retry');
      }
    }
  }

  private async reportPresence(): Promise<void> {
    const { presence, node, logger, presenceReported } = this.options;
    let entries = 0;
    for (const devices of this.connected.values()) entries += devices.size;
    presenceReported?.(entries);
    await Promise.all(
      [...this.connected].map(([channel, devices]) =>
        presence.refresh(channel, node, [...devices.keys()]).catch((error: unknown) => logger.warn({ err: error, channel }, 'could not report presence')),
      ),
    );
  }

  /** Memberships of connected devices, and their durable patterns, stay live while they are connected. */
  private async renew(): Promise<void> {
    const { store, logger } = this.options;
    await Promise.all([
      ...[...this.connected].map(([channel, devices]) =>
        store.renew(channel, [...devices.keys()]).catch((error: unknown) => logger.warn({ err: error, channel }, 'could not renew memberships')),
      ),
      ...[...this.positions.followedPatterns()].map(([device, patterns]) =>
        store.renewPatterns(device, [...patterns]).catch((error: unknown) => logger.warn({ err: error, device }, 'could not renew durable patterns')),
      ),
      ...[...this.keptSessions.keys()].map((device) =>
        store.renewFilters(device).catch((error: unknown) => logger.warn({ err: error, device }, 'could not renew kept MQTT filters')),
      ),
    ]);
  }
}
