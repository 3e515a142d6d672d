import { type StreamId, TidingsError } from '@tidings/protocol';
import type { MemoryDeviceStore } from './memory-device-store.js';
import type { DeviceReceipt, ReceiptOutcome, ReceiptPage, ReceiptStore } from './ports.js';
import { receiptTransition } from './receipt-transition.js';

interface EventReceipts {
  readonly publishedAt: number;
  readonly devices: Map<string, DeviceReceipt>;
}

/** Receipts in this process's memory, with the Redis store's rules. */
export class MemoryReceiptStore implements ReceiptStore {
  private readonly events = new Map<string, EventReceipts>();

  constructor(
    private readonly devices: Pick<MemoryDeviceStore, 'currentMembers'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Called as an ack event is appended: its channel's current members owe a receipt. */
  expectFromMembers(channel: string, id: StreamId): number {
    const devices = new Map<string, DeviceReceipt>();
    for (const device of this.devices.currentMembers(channel)) devices.set(device, { device, state: 'pending', attempts: 0, retries: 0 });
    this.events.set(`${channel}\n${id}`, { publishedAt: this.now(), devices });
    return devices.size;
  }

  async markDelivered(channel: string, id: StreamId, devices: readonly string[]): Promise<void> {
    const receipts = this.events.get(`${channel}\n${id}`);
    for (const device of devices) {
      const receipt = receipts?.devices.get(device);
      if (!receipt || receipt.state === 'dead') continue;
      // Marks are batched, so the device's own receipt may already be here: keep its state.
      const state = receipt.state === 'pending' ? 'delivered' : receipt.state;
      receipts!.devices.set(device, { ...receipt, state, deliveredAt: receipt.deliveredAt ?? this.now(), attempts: receipt.attempts + 1 });
    }
  }

  async record(channel: string, id: StreamId, device: string, status: 'received' | 'processed' | 'failed', detail?: string): Promise<ReceiptOutcome> {
    const receipts = this.events.get(`${channel}\n${id}`);
    const receipt = receipts?.devices.get(device);
    if (!receipt) throw new TidingsError('TIDINGS_RECEIPT_NOT_EXPECTED', `no receipt is expected from ${device} for ${channel} ${id}`);
    const transition = receiptTransition(receipt.state, status);
    if (transition === 'conflict') throw new TidingsError('TIDINGS_RECEIPT_CONFLICT', `${device} already reported ${receipt.state} for ${channel} ${id}`);
    if (transition === 'unchanged') return { result: 'unchanged', receipt };
    const updated: DeviceReceipt = { ...receipt, state: status, receiptAt: this.now(), ...(detail === undefined ? {} : { detail }) };
    receipts!.devices.set(device, updated);
    return { result: 'recorded', receipt: updated };
  }

  /** Nothing: redelivery is the worker's, which needs Redis. */
  async owed(): Promise<StreamId[]> {
    return [];
  }

  async list(channel: string, id: StreamId, page: { after?: string; limit: number }): Promise<ReceiptPage | undefined> {
    const receipts = this.events.get(`${channel}\n${id}`);
    if (!receipts) return undefined;
    const all = [...receipts.devices.values()].sort((a, b) => (a.device < b.device ? -1 : 1));
    // `next` is an offset, in the token form the Redis store uses ("<cursor>:<skip>").
    const from = page.after === undefined ? 0 : Number(page.after.split(':')[1] ?? 0);
    const devices = all.slice(from, from + page.limit);
    const more = from + page.limit < all.length;
    return { publishedAt: receipts.publishedAt, expected: all.length, devices, ...(more ? { next: `0:${from + page.limit}` } : {}) };
  }
}
