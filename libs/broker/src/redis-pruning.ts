import type { RedisClient } from './redis-client.js';
import { DIRECTORY_SHARDS, type RedisKeys } from './redis-keys.js';

export interface PruneLimits {
  readonly maxAgeMs: number;
  readonly maxLength: number;
  readonly memberIdleMs: number;
  readonly presenceTtlMs: number;
}

export interface ChannelPruned {
  readonly entries: number;
  readonly members: number;
  readonly presence: number;
  readonly owed: number;
  /** Nothing is left of the channel but its metadata: it can leave the directory. */
  readonly empty: boolean;
}

/** The Redis operations of pruning; what to prune when is the worker's (see Pruner). */
export class RedisPruning {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  readonly shards = DIRECTORY_SHARDS;

  /** A page of one directory shard: channels with the time they were last published to. */
  async directoryPage(shard: number, cursor: string, count: number): Promise<{ next: string; channels: { channel: string; stamp: number }[] }> {
    const [next, flat] = await this.redis.zscan(this.keys.directory(shard), cursor, 'COUNT', count);
    const channels: { channel: string; stamp: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) channels.push({ channel: flat[i]!, stamp: Number(flat[i + 1]) });
    return { next, channels };
  }

  async pruneChannel(channel: string, limits: PruneLimits): Promise<ChannelPruned> {
    const { keys } = this;
    const [entries, members, presence, owed, empty] = await this.redis.tidingsPruneChannel(
      keys.log(channel),
      keys.meta(channel),
      keys.members(channel),
      keys.presence(channel),
      keys.owed(channel),
      keys.acks(channel),
      keys.positions(channel),
      keys.groups(channel),
      limits.maxAgeMs,
      limits.memberIdleMs,
      limits.presenceTtlMs,
      keys.receiptsPrefix(channel),
      keys.live(channel),
      limits.maxLength,
    );
    return { entries, members, presence, owed, empty: empty === 1 };
  }

  /** Drops an empty channel from the directory unless a publisher stamped it since `stamp`. */
  async forgetChannel(channel: string, stamp: number): Promise<boolean> {
    const shard = this.keys.directoryShard(channel);
    return (await this.redis.tidingsZremIfScore(this.keys.directory(shard), channel, String(stamp))) === 1;
  }

  /** Removes edge-node reports last seen before `before` (ms); returns how many. */
  async pruneNodes(before: number): Promise<number> {
    const reports = await this.redis.hgetall(this.keys.nodes());
    const dead = Object.entries(reports)
      .filter(([, raw]) => {
        const lastSeen = (JSON.parse(raw) as { lastSeen?: unknown }).lastSeen;
        return typeof lastSeen !== 'number' || lastSeen < before;
      })
      .map(([node]) => node);
    return dead.length === 0 ? 0 : this.redis.hdel(this.keys.nodes(), ...dead);
  }
}
