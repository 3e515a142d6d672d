import type { AppendResult, EventLog, GapReason, LoggedEvent, ReadPage } from '@tidings/core';
import type { PublishRequest, StreamId } from '@tidings/protocol';
import type { RedisClient } from './redis-client.js';
import { DIRECTORY_SHARDS, type RedisKeys } from './redis-keys.js';
import type { ReplicatedWrites } from './replicated-writes.js';

export interface Retention {
  readonly maxLength: number;
  readonly maxAgeSeconds: number;
}

/** Members not seen for this long owe no receipts for new events. */
const DEFAULT_MEMBER_IDLE_SECONDS = 86_400;

export interface RedisEventLogOptions {
  readonly redis: RedisClient;
  readonly keys: RedisKeys;
  readonly retention: Retention;
  readonly memberIdleSeconds?: number;
  /** Appends answered only once replicas have them (--publish-replicas); absent: once the master has them. */
  readonly replicated?: ReplicatedWrites;
  /** Wall clock for the channel directory's scores. */
  readonly now?: () => number;
}

/** A channel is re-stamped in the directory at most this often; readers allow for it. */
const DIRECTORY_REFRESH_MS = 1000;
const DIRECTORY_MEMO_MAX = 100_000;
const DIRECTORY_PAGE = 10_000;

/** One Redis Stream per channel; appends and live notifications happen in one script. */
export class RedisEventLog implements EventLog {
  private readonly stamped = new Map<string, number>();
  private readonly wallClock: () => number;

  constructor(private readonly options: RedisEventLogOptions) {
    this.wallClock = options.now ?? Date.now;
  }

  async append(channel: string, request: PublishRequest): Promise<AppendResult> {
    const { redis, keys, retention } = this.options;
    // The directory is stamped before the append, so a wildcard reader that finds no stamp
    // can be sure the event did not exist yet; likewise the worker's reconciler for ack events.
    // The two stamps are independent, so they share one round trip.
    await Promise.all([this.stampDirectory(channel), request.ack ? redis.zadd(keys.ackChannels(), 'GT', this.wallClock(), channel) : undefined]);
    const appendOn = (connection: RedisClient) => connection.tidingsAppend(
      keys.log(channel),
      keys.idempotency(channel, request.idempotencyKey ?? ''),
      keys.meta(channel),
      keys.members(channel),
      keys.acks(channel),
      retention.maxLength,
      retention.maxAgeSeconds * 1000,
      request.event,
      JSON.stringify(request.data),
      retention.maxAgeSeconds,
      request.idempotencyKey === undefined ? '0' : '1',
      keys.live(channel),
      request.ack ? '1' : '0',
      keys.receiptsPrefix(channel),
      (this.options.memberIdleSeconds ?? DEFAULT_MEMBER_IDLE_SECONDS) * 1000,
      retention.maxAgeSeconds,
    );
    const { replicated } = this.options;
    const [id, duplicate, expected] = replicated ? await replicated.run(keys.log(channel), appendOn) : await appendOn(redis);
    if (duplicate === 1) return { id, duplicate: true };
    return request.ack ? { id, duplicate: false, expected } : { id, duplicate: false };
  }

  async readAfter(channel: string, after: StreamId, limit: number, afterFloor = false): Promise<ReadPage> {
    const { redis, keys, retention } = this.options;
    const [gap, lostTo, , entries] = await redis.tidingsReadAfter(keys.log(channel), keys.meta(channel), after, limit, retention.maxAgeSeconds * 1000, afterFloor ? 1 : 0);
    const events = entries.map(([id, fields]) => toEvent(channel, id, fields));
    if (gap === '') return { events };
    return { events, gap: { channel, lostFrom: after, lostTo, reason: gap as GapReason } };
  }

  async read(channel: string, id: StreamId): Promise<LoggedEvent | undefined> {
    const [entry] = await this.options.redis.xrange(this.options.keys.log(channel), id, id);
    return entry && toEvent(channel, entry[0], entry[1]);
  }

  async lastId(channel: string): Promise<StreamId> {
    const { redis, keys, retention } = this.options;
    const [, , lastGenerated] = await redis.tidingsReadAfter(keys.log(channel), keys.meta(channel), '0-0', 0, retention.maxAgeSeconds * 1000, 0);
    return lastGenerated;
  }

  async channelsActiveSince(sinceMs: number): Promise<string[]> {
    const { redis, keys } = this.options;
    const shards = Array.from({ length: DIRECTORY_SHARDS }, (_, shard) =>
      redis.zrangebyscore(keys.directory(shard), sinceMs, '+inf', 'LIMIT', 0, DIRECTORY_PAGE),
    );
    return (await Promise.all(shards)).flat();
  }

  async now(): Promise<number> {
    const [seconds, micros] = await this.options.redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }

  private async stampDirectory(channel: string): Promise<void> {
    const now = this.wallClock();
    const last = this.stamped.get(channel);
    if (last !== undefined && now - last < DIRECTORY_REFRESH_MS) return;
    const { redis, keys } = this.options;
    await redis.zadd(keys.directory(keys.directoryShard(channel)), 'GT', now + DIRECTORY_REFRESH_MS, channel);
    if (this.stamped.size >= DIRECTORY_MEMO_MAX) this.stamped.clear();
    this.stamped.set(channel, now);
  }
}

/** A stream entry as a logged event (fields: e = name, d = data JSON, a = ack). */
export function toEvent(channel: string, id: string, fields: readonly string[]): LoggedEvent {
  let event = '';
  let data = 'null';
  let ack = false;
  for (let i = 0; i < fields.length; i += 2) {
    if (fields[i] === 'e') event = fields[i + 1] ?? '';
    else if (fields[i] === 'd') data = fields[i + 1] ?? 'null';
    else if (fields[i] === 'a') ack = true;
  }
  return ack ? { channel, id, event, data, ack } : { channel, id, event, data };
}
