import type { PresenceChange, PresenceEntry, PresenceStore } from './ports.js';

/** Presence in this process's memory, read through the same TTL as the Redis store. */
export class MemoryPresenceStore implements PresenceStore {
  private readonly entries = new Map<string, Map<string, PresenceEntry>>();
  private readonly listeners: ((change: PresenceChange) => void)[] = [];

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Joins and leaves, for the in-process live bus. */
  onChange(listener: (change: PresenceChange) => void): void {
    this.listeners.push(listener);
  }

  async refresh(channel: string, node: string, devices: readonly string[]): Promise<void> {
    let entries = this.entries.get(channel);
    if (!entries) this.entries.set(channel, (entries = new Map()));
    const now = this.now();
    for (const device of devices) {
      const old = entries.get(`${device} ${node}`);
      const fresh = old !== undefined && now - old.lastSeen <= this.ttlMs;
      entries.set(`${device} ${node}`, { device, node, since: fresh ? old.since : now, lastSeen: now });
      if (!fresh) this.announce({ channel, device, node, action: 'join' });
    }
  }

  async leave(channel: string, node: string, devices: readonly string[]): Promise<void> {
    for (const device of devices) {
      if (this.entries.get(channel)?.delete(`${device} ${node}`)) this.announce({ channel, device, node, action: 'leave' });
    }
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
}
