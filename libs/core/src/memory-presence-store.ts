import type { PresenceChange, PresenceEntry, PresenceStore } from './ports.js';
import { SweepSchedule } from './sweep-schedule.js';

/**
 * Presence in this process's memory, read through the same TTL as the Redis store. Entries past
 * the TTL count for nothing, so they are forgotten (with channels left empty): swept once the
 * entries have doubled since the last sweep, amortised and without a timer — as Redis expires them.
 */
export class MemoryPresenceStore implements PresenceStore {
  private readonly entries = new Map<string, Map<string, PresenceEntry>>();
  private readonly listeners: ((change: PresenceChange) => void)[] = [];
  private count = 0;
  private readonly sweeps = new SweepSchedule();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Device-on-node entries kept, across channels. */
  get size(): number {
    return this.count;
  }

  /** Channels with at least one entry kept. */
  get channels(): number {
    return this.entries.size;
  }

  /** Joins and leaves, for the in-process live bus. */
  onChange(listener: (change: PresenceChange) => void): void {
    this.listeners.push(listener);
  }

  async refresh(channel: string, node: string, devices: readonly string[]): Promise<void> {
    let entries = this.entries.get(channel);
    if (!entries) this.entries.set(channel, (entries = new Map()));
    const now = this.now();
    for (const device of devices) {
      const key = `${device} ${node}`;
      const old = entries.get(key);
      const fresh = old !== undefined && now - old.lastSeen <= this.ttlMs;
      if (old === undefined) this.count += 1;
      entries.set(key, { device, node, since: fresh ? old.since : now, lastSeen: now });
      if (!fresh) this.announce({ channel, device, node, action: 'join' });
    }
    if (this.sweeps.due(this.count)) this.forgetStale(now);
  }

  async leave(channel: string, node: string, devices: readonly string[]): Promise<void> {
    const entries = this.entries.get(channel);
    if (!entries) return;
    for (const device of devices) {
      if (!entries.delete(`${device} ${node}`)) continue;
      this.count -= 1;
      this.announce({ channel, device, node, action: 'leave' });
    }
    if (entries.size === 0) this.entries.delete(channel);
  }

  private announce(change: PresenceChange): void {
    for (const listener of this.listeners) listener(change);
  }

  async online(channel: string): Promise<PresenceEntry[]> {
    const freshAfter = this.now() - this.ttlMs;
    return [...(this.entries.get(channel)?.values() ?? [])]
      .filter((e) => e.lastSeen >= freshAfter)
      .sort((a, b) => (a.device === b.device ? (a.node < b.node ? -1 : 1) : a.device < b.device ? -1 : 1));
  }

  private forgetStale(now: number): void {
    for (const [channel, entries] of this.entries) {
      for (const [key, entry] of entries) {
        if (now - entry.lastSeen <= this.ttlMs) continue;
        entries.delete(key);
        this.count -= 1;
      }
      if (entries.size === 0) this.entries.delete(channel);
    }
    this.sweeps.swept(this.count);
  }
}
