import type { DeviceReceipt, ReceiptOutcome, ReceiptPage, ReceiptState, ReceiptStore } from '@tidings/core';
import { type StreamId, TidingsError } from '@tidings/protocol';
import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';

/** A device's receipt as the scripts store it (short names: there is one per device per event). */
export interface StoredReceipt {
  /** state */
  s: ReceiptState;
  /** attempts: writes to the device's connections */
  a?: number;
  /** first delivered at */
  d?: number;
  /** the device's own receipt at */
  r?: number;
  /** detail from the device */
  x?: string;
  /** retries: redelivery rounds by the worker */
  n?: number;
  /** next retry round due at */
  t?: number;
  /** dead since */
  k?: number;
}

/** Redeliveries sent to a device when it connects, at most this many per channel. */
const OWED_SCAN_LIMIT = 1000;

/** Receipts in the channel's hash tag: one hash per ack event, and the `owed` index of redeliveries. */
export class RedisReceiptStore implements ReceiptStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly now: () => number = Date.now,
  ) {}

  async markDelivered(channel: string, id: StreamId, devices: readonly string[]): Promise<void> {
    if (devices.length > 0) await this.redis.tidingsMarkDelivered(this.keys.receipts(channel, id), this.now(), ...devices);
  }

  async record(channel: string, id: StreamId, device: string, status: 'received' | 'processed' | 'failed', detail?: string): Promise<ReceiptOutcome> {
    const [outcome, raw] = await this.redis.tidingsRecordReceipt(this.keys.receipts(channel, id), this.keys.owed(channel), device, status, detail ?? '', this.now(), id);
    if (outcome === 'not-expected') {
      throw new TidingsError('TIDINGS_RECEIPT_NOT_EXPECTED', `no receipt is expected from ${device} for ${channel} ${id}`);
    }
    const receipt = toReceipt(device, raw);
    if (outcome === 'conflict') throw new TidingsError('TIDINGS_RECEIPT_CONFLICT', `${device} already reported ${receipt.state} for ${channel} ${id}`);
    return { result: outcome === 'recorded' ? 'recorded' : 'unchanged', receipt };
  }

  async owed(channel: string, device: string, limit: number): Promise<StreamId[]> {
    // Members are "<device> <id>"; device ids hold no spaces, and '!' sorts right after ' '.
    const members = await this.redis.zrangebylex(this.keys.owed(channel), `[${device} `, `(${device}!`, 'LIMIT', 0, Math.min(limit, OWED_SCAN_LIMIT));
    return members.map((m) => m.slice(device.length + 1));
  }

  /**
   * Exactly `limit` devices a page (fewer on the last). HSCAN's COUNT is only a hint (a small hash
   * comes back whole), so a page may end inside a batch: `next` is "<scan cursor>:<devices of that
   * batch already given>". The hash's fields are fixed when the event is published, so scanning
   * from the same cursor gives the same batch again.
   */
  async list(channel: string, id: StreamId, page: { after?: string; limit: number }): Promise<ReceiptPage | undefined> {
    const key = this.keys.receipts(channel, id);
    const [publishedAt, size] = await Promise.all([this.redis.hget(key, '#'), this.redis.hlen(key)]);
    if (publishedAt === null) return undefined;
    let [cursor, skip] = parsePageToken(page.after);
    const devices: DeviceReceipt[] = [];
    for (;;) {
      const [following, flat] = await this.redis.hscan(key, cursor, 'COUNT', Math.max(page.limit, MIN_SCAN_COUNT));
      const batch: DeviceReceipt[] = [];
      for (let i = 0; i < flat.length; i += 2) if (flat[i] !== '#') batch.push(toReceipt(flat[i]!, flat[i + 1]!));
      const taken = batch.slice(skip, skip + page.limit - devices.length);
      devices.push(...taken);
      const next = skip + taken.length < batch.length ? `${cursor}:${skip + taken.length}` : following === '0' ? undefined : `${following}:0`;
      if (next === undefined || devices.length === page.limit) return { publishedAt: Number(publishedAt), expected: size - 1, devices, ...(next ? { next } : {}) };
      [cursor, skip] = [following, 0];
    }
  }
}

const MIN_SCAN_COUNT = 10;

/** `next` of a previous page; the start without one. */
function parsePageToken(after: string | undefined): [cursor: string, skip: number] {
  if (after === undefined) return ['0', 0];
  const [cursor = '0', skip = '0'] = after.split(':');
  return [cursor, Number(skip)];
}

export function toReceipt(device: string, raw: string): DeviceReceipt {
  const stored = JSON.parse(raw) as StoredReceipt;
  return {
    device,
    state: stored.s,
    attempts: stored.a ?? 0,
    retries: stored.n ?? 0,
    ...(stored.d ? { deliveredAt: stored.d } : {}),
    ...(stored.r ? { receiptAt: stored.r } : {}),
    ...(stored.x ? { detail: stored.x } : {}),
    ...(stored.t ? { nextRetryAt: stored.t } : {}),
    ...(stored.k ? { deadAt: stored.k } : {}),
  };
}
