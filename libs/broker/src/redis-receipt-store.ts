import type { DeviceReceipt, ReceiptOutcome, ReceiptPage, ReceiptState, ReceiptStore } from '@tidings/core';
import { type StreamId, TidingsError } from '@tidings/protocol';
import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';

interface StoredReceipt {
  s: ReceiptState;
  a?: number;
  d?: number;
  r?: number;
  x?: string;
}

/** Membership and receipts in the channel's hash tag: zset `members`, one hash per ack event. */
export class RedisReceiptStore implements ReceiptStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly now: () => number = Date.now,
  ) {}

  async join(channel: string, devices: readonly string[]): Promise<void> {
    if (devices.length === 0) return;
    const now = this.now();
    await this.redis.zadd(this.keys.members(channel), 'GT', ...devices.flatMap((device) => [now, device]));
  }

  async markDelivered(channel: string, id: StreamId, devices: readonly string[]): Promise<void> {
    if (devices.length > 0) await this.redis.tidingsMarkDelivered(this.keys.receipts(channel, id), this.now(), ...devices);
  }

  async record(channel: string, id: StreamId, device: string, status: 'received' | 'processed' | 'failed', detail?: string): Promise<ReceiptOutcome> {
    const [outcome, raw] = await this.redis.tidingsRecordReceipt(this.keys.receipts(channel, id), device, status, detail ?? '', this.now());
    if (outcome === 'not-expected') {
      throw new TidingsError('TIDINGS_RECEIPT_NOT_EXPECTED', `no receipt is expected from ${device} for ${channel} ${id}`);
    }
    const receipt = toReceipt(device, raw);
    if (outcome === 'conflict') throw new TidingsError('TIDINGS_RECEIPT_CONFLICT', `${device} already reported ${receipt.state} for ${channel} ${id}`);
    return { result: outcome === 'recorded' ? 'recorded' : 'unchanged', receipt };
  }

  async list(channel: string, id: StreamId, page: { after?: string; limit: number }): Promise<ReceiptPage | undefined> {
    const key = this.keys.receipts(channel, id);
    const [publishedAt, size] = await Promise.all([this.redis.hget(key, '#'), this.redis.hlen(key)]);
    if (publishedAt === null) return undefined;
    const [next, flat] = await this.redis.hscan(key, page.after ?? '0', 'COUNT', page.limit);
    const devices: DeviceReceipt[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      if (flat[i] !== '#') devices.push(toReceipt(flat[i]!, flat[i + 1]!));
    }
    devices.sort((a, b) => (a.device < b.device ? -1 : 1));
    return { publishedAt: Number(publishedAt), expected: size - 1, devices, ...(next === '0' ? {} : { next }) };
  }
}

function toReceipt(device: string, raw: string): DeviceReceipt {
  const stored = JSON.parse(raw) as StoredReceipt;
  return {
    device,
    state: stored.s,
    attempts: stored.a ?? 0,
    ...(stored.d ? { deliveredAt: stored.d } : {}),
    ...(stored.r ? { receiptAt: stored.r } : {}),
    ...(stored.x ? { detail: stored.x } : {}),
  };
}
