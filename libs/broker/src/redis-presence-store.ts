import type { PresenceEntry, PresenceStore } from '@tidings/core';
import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Presence per channel: a hash of "<device> <node>" → "<since> <lastSeen>", read through the TTL;
 * joins and leaves are announced on the channel's live pub/sub channel by the same scripts.
 */
export class RedisPresenceStore implements PresenceStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async refresh(channel: string, node: string, devices: readonly string[]): Promise<void> {
    if (devices.length > 0) await this.redis.tidingsRefreshPresence(this.keys.presence(channel), node, this.now(), this.ttlMs, this.keys.live(channel), ...devices);
  }

  async leave(channel: string, node: string, devices: readonly string[]): Promise<void> {
    if (devices.length > 0) await this.redis.tidingsLeavePresence(this.keys.presence(channel), node, this.keys.live(channel), ...devices);
  }

  async online(channel: string): Promise<PresenceEntry[]> {
    const all = await this.redis.hgetall(this.keys.presence(channel));
    const freshAfter = this.now() - this.ttlMs;
    const entries: PresenceEntry[] = [];
    for (const [field, value] of Object.entries(all)) {
      const [device, node] = field.split(' ') as [string, string];
      const [since, lastSeen] = value.split(' ').map(Number) as [number, number];
      if (lastSeen >= freshAfter) entries.push({ device, node, since, lastSeen });
    }
    return entries.sort((a, b) => (a.device === b.device ? (a.node < b.node ? -1 : 1) : a.device < b.device ? -1 : 1));
  }
}
