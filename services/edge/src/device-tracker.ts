import type { LoggedEvent, PresenceStore, ReceiptStore } from '@tidings/core';
import type { Logger } from '@tidings/observability';

/** How often connected devices renew their membership, and how soon delivery marks are written. */
const MEMBERSHIP_REFRESH_MS = 60_000;
const DELIVERY_FLUSH_MS = 20;
const MAX_PENDING_MARKS = 100_000;

/**
 * The node's side of receipts and presence: which devices are connected here (renewing their
 * membership and presence in batches, one command per channel, never a timer per connection)
 * and which ack events were written to them (marked delivered in batches, one call per event).
 */
export class DeviceTracker {
  private readonly connected = new Map<string, Map<string, number>>();
  private pendingMarks = new Map<string, { channel: string; id: string; devices: Set<string> }>();
  private markCount = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly refreshTimer: NodeJS.Timeout;
  private readonly presenceTimer: NodeJS.Timeout;

  constructor(
    private readonly store: ReceiptStore,
    private readonly presence: PresenceStore,
    private readonly node: string,
    presenceRefreshMs: number,
    private readonly logger: Logger,
  ) {
    this.refreshTimer = setInterval(() => void this.refresh(), MEMBERSHIP_REFRESH_MS);
    this.presenceTimer = setInterval(() => void this.reportPresence(), presenceRefreshMs);
  }

  /** Makes `device` a member of `channels`, and present, now (awaited: an ack publish right after must expect it). */
  async connect(device: string, channels: readonly string[]): Promise<() => void> {
    await Promise.all(channels.flatMap((channel) => [this.store.join(channel, [device]), this.presence.refresh(channel, this.node, [device])]));
    for (const channel of channels) {
      let devices = this.connected.get(channel);
      if (!devices) this.connected.set(channel, (devices = new Map()));
      devices.set(device, (devices.get(device) ?? 0) + 1);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const channel of channels) {
        const devices = this.connected.get(channel);
        const count = (devices?.get(device) ?? 1) - 1;
        if (count > 0) devices!.set(device, count);
        else {
          devices?.delete(device);
          this.presence.leave(channel, this.node, [device]).catch((error: unknown) => this.logger.warn({ err: error, channel }, 'could not record a leave'));
        }
        if (devices?.size === 0) this.connected.delete(channel);
      }
    };
  }

  /** The event went out on one of the device's connections. */
  delivered(event: LoggedEvent, device: string): void {
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
    await this.flush();
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
