import type { PresenceEntry, PresenceStore } from './ports.js';

/** Presence in this process's memory, read through the same TTL as the Redis store. */
export class MemoryPresenceStore implements PresenceStore {
  private readonly entries = new Map<string, Map<string, PresenceEntry>>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async refresh(channel: string, node: string, devices: readonly string[]): Promise<void> {
    let entries = this.entries.get(channel);
    if (!entries) this.entries.set(channel, (entries = new Map()));
    const now = this.now();
    for (const device of devices) {
      const old = entries.get(`${device} ${node}`);
      const since = old && now - old.lastSeen <= this.ttlMs ? old.since : now;
      entries.set(`${device} ${node}`, { device, node, since, lastSeen: now });
    }
  }

  async leave(channel: string, node: string, devices: readonly string[]): Promise<void> {
    for (const device of devices) this.entries.get(channel)?.delete(`${device} ${node}`);
  }

  async online(channel: string): Promise<PresenceEntry[]> {
    const freshAfter = this.now() - this.ttlMs;
    return [...(this.entries.get(channel)?.values() ?? [])]
      .filter((e) => e.lastSeen >= freshAfter)
      .sort((a, b) => (a.device === b.device ? (a.node < b.node ? -1 : 1) : a.device < b.device ? -1 : 1));
  }
}
