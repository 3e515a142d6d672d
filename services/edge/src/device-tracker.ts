import type { EventLog, LoggedEvent, PresenceStore, ReceiptStore, Redelivery } from '@tidings/core';
import { compareStreamIds, type Cursor, type StreamId } from '@tidings/protocol';
import type { Logger } from '@tidings/observability';

/** How often connected devices renew their membership, and how soon delivery marks are written. */
const MEMBERSHIP_REFRESH_MS = 60_000;
const DELIVERY_FLUSH_MS = 20;
/** How often devices' positions are saved while connected (and at once when one disconnects). */
const POSITION_FLUSH_MS = 1000;
const MAX_PENDING_MARKS = 100_000;
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

/**
 * The node's side of receipts and presence: which devices are connected here (renewing their
 * membership and presence in batches, one command per channel, never a timer per connection),
 * which ack events were written to them (marked delivered in batches, one call per event), and
 * where the worker's redeliveries for them go.
 */
export class DeviceTracker {
  /** channel → device → its connections here. */
  private readonly connected = new Map<string, Map<string, Set<RedeliveryTarget>>>();
  private pendingMarks = new Map<string, { channel: string; id: string; devices: Set<string> }>();
  private markCount = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  /** channel → device → the newest id written to it here, not saved yet. */
  private unsavedPositions = new Map<string, Map<string, StreamId>>();
  private positionTimer: NodeJS.Timeout | undefined;
  private readonly refreshTimer: NodeJS.Timeout;
  private readonly presenceTimer: NodeJS.Timeout;

  constructor(
    private readonly log: EventLog,
    private readonly store: ReceiptStore,
    private readonly presence: PresenceStore,
    private readonly node: string,
    presenceRefreshMs: number,
    private readonly logger: Logger,
  ) {
    this.refreshTimer = setInterval(() => void this.refresh(), MEMBERSHIP_REFRESH_MS);
    this.presenceTimer = setInterval(() => void this.reportPresence(), presenceRefreshMs);
  }

  /**
   * Makes `device` a member of `channels`, and present, now (awaited: an ack publish right after
   * must expect it); `target` takes its redeliveries until the returned release is called.
   */
  async connect(device: string, channels: readonly string[], target: RedeliveryTarget): Promise<() => void> {
    await Promise.all(channels.flatMap((channel) => [this.store.join(channel, [device]), this.presence.refresh(channel, this.node, [device])]));
    for (const channel of channels) {
      let devices = this.connected.get(channel);
      if (!devices) this.connected.set(channel, (devices = new Map()));
      let targets = devices.get(device);
      if (!targets) devices.set(device, (targets = new Set()));
      targets.add(target);
    }
    if (target.owedOnConnect) void this.sendOwed(device, channels, target);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      void this.savePositions(); // before the leave below: once presence shows it gone, its position is stored
      for (const channel of channels) {
        const devices = this.connected.get(channel);
        const targets = devices?.get(device);
        targets?.delete(target);
        if (targets?.size === 0) {
          devices!.delete(device);
          this.presence.leave(channel, this.node, [device]).catch((error: unknown) => this.logger.warn({ err: error, channel }, 'could not record a leave'));
        }
        if (devices?.size === 0) this.connected.delete(channel);
      }
    };
  }

  /** The worker's redelivery: written again to every connection here of the devices it names. */
  redeliver({ event, devices }: Redelivery): number {
    let written = 0;
    const here = this.connected.get(event.channel);
    for (const device of devices) {
      for (const target of here?.get(device) ?? []) {
        target.redeliver(event);
        written += 1;
      }
    }
    return written;
  }

  /** Ack events the worker already redelivered to the device while it was away. */
  private async sendOwed(device: string, channels: readonly string[], target: RedeliveryTarget): Promise<void> {
    for (const channel of channels) {
      try {
        for (const id of await this.store.owed(channel, device, OWED_PER_CONNECT)) {
          const event = await this.log.read(channel, id);
          if (event && this.connected.get(channel)?.get(device)?.has(target)) target.redeliver(event);
        }
      } catch (error) {
        this.logger.warn({ err: error, channel, device }, 'could not send owed redeliveries; the worker will retry');
      }
    }
  }

  /**
   * Where a device that names no cursor resumes: the positions saved for it, one per channel
   * (everything else from now); null when it has none.
   */
  async resumePoint(device: string, channels: readonly string[]): Promise<Cursor | null> {
    const saved = await Promise.all(channels.map(async (channel) => [channel, await this.store.position(channel, device)] as const));
    const positions = new Map(saved.flatMap(([channel, id]) => (id === undefined ? [] : [[channel, id] as const])));
    return positions.size === 0 ? null : { floor: `${await this.log.now()}-0`, positions };
  }

  /** The event went out on one of the device's connections. */
  delivered(event: LoggedEvent, device: string): void {
    let positions = this.unsavedPositions.get(event.channel);
    if (!positions) this.unsavedPositions.set(event.channel, (positions = new Map()));
    const unsaved = positions.get(device);
    if (unsaved === undefined || compareStreamIds(event.id, unsaved) > 0) positions.set(device, event.id); // a redelivery is older
    this.positionTimer ??= setTimeout(() => void this.savePositions(), POSITION_FLUSH_MS);
    if (!event.ack) return;
    if (this.markCount >= MAX_PENDING_MARKS) {
      this.logger.warn({ channel: event.channel, id: event.id }, 'too many delivery marks queued; dropping one (the receipt still shows pending)');
      return;
    }
    const key = `${event.channel}\n${event.id}`;
    let marks = this.pendingMarks.get(key);
    if (!marks) this.pendingMarks.set(key, (marks = { channel: event.channel, id: event.id, devices: new Set() }));
    if (!marks.devices.has(device)) this.markCount += 1;
    marks.devices.add(device);
    this.flushTimer ??= setTimeout(() => void this.flush(), DELIVERY_FLUSH_MS);
  }

  async flush(): Promise<void> {
    this.flushTimer = undefined;
    const batch = this.pendingMarks;
    this.pendingMarks = new Map();
    this.markCount = 0;
    await Promise.all(
      [...batch.values()].map(({ channel, id, devices }) =>
        this.store.markDelivered(channel, id, [...devices]).catch((error: unknown) => this.logger.warn({ err: error, channel, id }, 'could not mark deliveries')),
      ),
    );
  }

  async stop(): Promise<void> {
    clearInterval(this.refreshTimer);
    clearInterval(this.presenceTimer);
    clearTimeout(this.flushTimer);
    await Promise.all([this.flush(), this.savePositions()]);
  }

  private async savePositions(): Promise<void> {
    clearTimeout(this.positionTimer);
    this.positionTimer = undefined;
    const batch = this.unsavedPositions;
    this.unsavedPositions = new Map();
    await Promise.all(
      [...batch].map(([channel, positions]) =>
        this.store.savePositions(channel, positions).catch((error: unknown) => this.logger.warn({ err: error, channel }, 'could not save device positions')),
      ),
    );
  }

  private async reportPresence(): Promise<void> {
    await Promise.all(
      [...this.connected].map(([channel, devices]) =>
        this.presence.refresh(channel, this.node, [...devices.keys()]).catch((error: unknown) => this.logger.warn({ err: error, channel }, 'could not report presence')),
      ),
    );
  }

  private async refresh(): Promise<void> {
    await Promise.all(
      [...this.connected].map(([channel, devices]) =>
        this.store.join(channel, [...devices.keys()]).catch((error: unknown) => this.logger.warn({ err: error, channel }, 'could not renew memberships')),
      ),
    );
  }
}
