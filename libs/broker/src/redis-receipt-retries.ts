import type { DeviceReceipt, OpenReceipt, RetryRound } from '@tidings/core';
import type { StreamId } from '@tidings/protocol';
import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';
import { toReceipt } from './redis-receipt-store.js';

export interface OpenEvent {
  readonly publishedAt: number;
  readonly open: readonly OpenReceipt[];
}

export interface AppliedRound {
  readonly redelivered: readonly string[];
  readonly dead: readonly DeviceReceipt[];
  /** 'gone': the event's receipts expired; 'trimmed': the event left the log, every open device is dead. */
  readonly outcome: 'ok' | 'gone' | 'trimmed';
}

/** The worker's side of receipts: reading who still owes one, applying retry rounds, finding lost jobs. */
export class RedisReceiptRetries {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** The devices of an ack event that have not answered; undefined when its receipts are gone. */
  async openReceipts(channel: string, id: StreamId): Promise<OpenEvent | undefined> {
    const all = await this.redis.hgetall(this.keys.receipts(channel, id));
    const publishedAt = all['#'];
    if (publishedAt === undefined) return undefined;
    const open: OpenReceipt[] = [];
    for (const [device, raw] of Object.entries(all)) {
      if (device === '#') continue;
      const receipt = toReceipt(device, raw);
      if (receipt.state !== 'pending' && receipt.state !== 'delivered') continue;
      open.push(receipt.nextRetryAt === undefined ? { device, retries: receipt.retries } : { device, retries: receipt.retries, nextRetryAt: receipt.nextRetryAt });
    }
    return { publishedAt: Number(publishedAt), open };
  }

  /** Applies a planned round; only the changes still valid are made (see retry-round.lua). */
  async apply(channel: string, id: StreamId, round: RetryRound, now: number): Promise<AppliedRound> {
    const { keys } = this;
    const [redelivered, dead, outcome] = await this.redis.tidingsRetryRound(
      keys.receipts(channel, id),
      keys.owed(channel),
      keys.acks(channel),
      keys.log(channel),
      now,
      id,
      keys.live(channel),
      round.nextDueAt ?? '',
      round.redeliver.length,
      ...round.redeliver.flatMap((r) => [r.device, r.fromRetries, r.nextRetryAt]),
      ...round.dead.flatMap((d) => [d.device, d.fromRetries]),
    );
    const deadReceipts = dead.length === 0 ? [] : await this.receipts(channel, id, dead);
    return { redelivered, dead: deadReceipts, outcome };
  }

  /** Open ack events of a channel whose job should have run before `before` (ms). */
  async overdue(channel: string, before: number, limit: number): Promise<StreamId[]> {
    return this.redis.zrangebyscore(this.keys.acks(channel), '-inf', before, 'LIMIT', 0, limit);
  }

  /** A page of channels that have had ack events, with the time of the last: where to look for lost jobs. */
  async ackChannels(cursor: string, count: number): Promise<{ next: string; channels: { channel: string; lastAckAt: number }[] }> {
    const [next, flat] = await this.redis.zscan(this.keys.ackChannels(), cursor, 'COUNT', count);
    const channels: { channel: string; lastAckAt: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) channels.push({ channel: flat[i]!, lastAckAt: Number(flat[i + 1]) });
    return { next, channels };
  }

  /**
   * Drops a channel from the reconciler's list once it has no open ack events and none was
   * published since `lastAckAt` (the score read); true when dropped.
   */
  async forgetAckChannel(channel: string, lastAckAt: number): Promise<boolean> {
    if ((await this.redis.zcard(this.keys.acks(channel))) > 0) return false;
    return (await this.redis.tidingsZremIfScore(this.keys.ackChannels(), channel, String(lastAckAt))) === 1;
  }

  /** The current receipts of some devices (those the event does not expect are left out). */
  async receipts(channel: string, id: StreamId, devices: readonly string[]): Promise<DeviceReceipt[]> {
    const raws = await this.redis.hmget(this.keys.receipts(channel, id), ...devices);
    return devices.flatMap((device, i) => (raws[i] ? [toReceipt(device, raws[i])] : []));
  }
}
