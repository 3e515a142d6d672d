import type { LoggedEvent, ReceiptStore } from '@tidings/core';
import type { Logger } from '@tidings/observability';

/** How soon delivery marks are written, and how many may wait. */
const FLUSH_MS = 20;
const MAX_PENDING = 100_000;

/**
 * Ack events written to devices' connections, marked `delivered` in batches: one call per event
 * every FLUSH_MS however many devices it reached here. A device with two connections on this node
 * counts one attempt per batch; connections on two nodes count one each.
 */
export class DeliveryMarks {
  private pending = new Map<string, { channel: string; id: string; devices: Set<string> }>();
  private count = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly receipts: ReceiptStore,
    private readonly logger: Logger,
  ) {}

  add(event: LoggedEvent, device: string): void {
    if (this.count >= MAX_PENDING) {
      this.logger.warn({ channel: event.channel, id: event.id }, 'too many delivery marks queued; dropping one (the receipt still shows pending)');
      return;
    }
    const key = `${event.channel}\n${event.id}`;
    let marks = this.pending.get(key);
    if (!marks) this.pending.set(key, (marks = { channel: event.channel, id: event.id, devices: new Set() }));
    if (!marks.devices.has(device)) this.count += 1;
    marks.devices.add(device);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    this.count = 0;
    await Promise.all(
      [...batch.values()].map(({ channel, id, devices }) =>
        this.receipts.markDelivered(channel, id, [...devices]).catch((error: unknown) => this.logger.warn({ err: error, channel, id }, 'could not mark deliveries')),
      ),
    );
  }
}
