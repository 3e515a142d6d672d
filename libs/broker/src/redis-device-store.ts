import { type ChannelStanding, type DeviceLimits, type DeviceStore, type KeptQos, lapsedPattern, PATTERN_FLOOR_SLACK_MS, type PatternStanding, tooManyPatterns } from '@tidings/core';
import type { StreamId } from '@tidings/protocol';
import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';

const FLOOR_FIELD = '~floor';

/**
 * Durable devices in Redis. Exact channels: the channel's zset `members` (device → last seen) and
 * hash `positions`, in the channel's hash tag, so a join reads the stream's newest id in the same
 * script. Patterns: per device, zset `patterns` and one hash per pattern, in the device's hash tag,
 * expiring by themselves.
 */
export class RedisDeviceStore implements DeviceStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly limits: DeviceLimits,
    private readonly now: () => number = Date.now,
  ) {}

  async join(channel: string, device: string): Promise<ChannelStanding> {
    const { keys } = this;
    const [position, lapsedFrom] = await this.redis.tidingsJoinChannel(
      keys.members(channel),
      keys.positions(channel),
      keys.log(channel),
      device,
      this.now(),
      this.limits.idleMs,
    );
    if (lapsedFrom === '') return { channel, position };
    return { channel, position, lapsed: { channel, lostFrom: lapsedFrom, lostTo: position, reason: 'membership-expired' } };
  }

  async renew(channel: string, devices: readonly string[]): Promise<void> {
    if (devices.length === 0) return;
    const now = this.now();
    const forgetAfterMs = 2 * this.limits.idleMs; // as join-channel.lua: the keys outlive their last member by this much
    const replies = await this.redis
      .pipeline()
      .zadd(this.keys.members(channel), 'GT', ...devices.flatMap((device) => [now, device]))
      .pexpire(this.keys.members(channel), forgetAfterMs)
      .pexpire(this.keys.positions(channel), forgetAfterMs)
      .exec();
    const failed = replies?.find(([error]) => error !== null);
    if (failed) throw failed[0];
  }

  async savePositions(channel: string, positions: ReadonlyMap<string, StreamId>): Promise<void> {
    if (positions.size > 0) await this.redis.tidingsSavePositions(this.keys.positions(channel), ...[...positions].flat());
  }

  async joinPatterns(device: string, patterns: readonly string[]): Promise<PatternStanding[]> {
    if (patterns.length === 0) return [];
    const { keys, limits } = this;
    const records = patterns.map((pattern) => keys.devicePattern(device, pattern));
    const [outcome, replies] = await this.redis.tidingsJoinPatterns(
      1 + records.length,
      keys.devicePatterns(device),
      ...records,
      this.now(),
      limits.idleMs,
      limits.maxPatterns,
      PATTERN_FLOOR_SLACK_MS,
      ...patterns,
    );
    if (outcome === 'too-many') throw tooManyPatterns(limits.maxPatterns);
    return patterns.map((pattern, i) => {
      const [, flat, lapsedFlat] = replies[i]!;
      const record = parseRecord(flat);
      if (lapsedFlat.length === 0) return { pattern, ...record };
      return { pattern, ...record, lapsed: lapsedPattern(pattern, parseRecord(lapsedFlat), record.floor) };
    });
  }

  async leavePattern(device: string, pattern: string): Promise<void> {
    const { keys } = this;
    // Both keys share the device's hash tag: one transaction, even in a Cluster.
    await this.redis.multi().zrem(keys.devicePatterns(device), pattern).del(keys.devicePattern(device, pattern)).exec();
  }

  async renewPatterns(device: string, patterns: readonly string[]): Promise<void> {
    if (patterns.length === 0) return;
    const { keys } = this;
    const records = patterns.map((pattern) => keys.devicePattern(device, pattern));
    await this.redis.tidingsRenewPatterns(1 + records.length, keys.devicePatterns(device), ...records, this.now(), this.limits.idleMs, ...patterns);
  }

  async savePatternPositions(device: string, pattern: string, positions: ReadonlyMap<string, StreamId>): Promise<void> {
    const { keys, limits } = this;
    await this.redis.tidingsSavePatternPositions(
      keys.devicePatterns(device),
      keys.devicePattern(device, pattern),
      pattern,
      this.now(),
      limits.idleMs,
      limits.maxChannelsPerPattern,
      ...[...positions].flat(),
    );
  }

  async keepFilters(device: string, filters: ReadonlyMap<string, KeptQos>, max: number): Promise<boolean> {
    if (filters.size === 0) return true;
    const kept = await this.redis.tidingsKeepFilters(this.keys.mqttFilters(device), max, 2 * this.limits.idleMs, ...[...filters].flat());
    return kept === 1;
  }

  async keptFilters(device: string): Promise<Map<string, KeptQos>> {
    const flat = await this.redis.hgetall(this.keys.mqttFilters(device));
    return new Map(Object.entries(flat).map(([filter, qos]) => [filter, qos === '0' ? 0 : 1]));
  }

  async dropFilters(device: string, filters: readonly string[] | undefined): Promise<void> {
    const key = this.keys.mqttFilters(device);
    if (filters === undefined) await this.redis.del(key);
    else if (filters.length > 0) await this.redis.hdel(key, ...filters);
  }

  async renewFilters(device: string): Promise<void> {
    await this.redis.pexpire(this.keys.mqttFilters(device), 2 * this.limits.idleMs);
  }
}

/** A record's HGETALL: its floor field and a position per channel. */
function parseRecord(flat: readonly string[]): { floor: StreamId; positions: Map<string, StreamId> } {
  let floor = '0-0';
  const positions = new Map<string, StreamId>();
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i] === FLOOR_FIELD) floor = flat[i + 1]!;
    else positions.set(flat[i]!, flat[i + 1]!);
  }
  return { floor, positions };
}
