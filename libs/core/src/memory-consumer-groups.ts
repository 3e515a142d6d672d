import { compareStreamIds, type GroupStart, previousStreamId, type StreamId, TidingsError, ZERO_ID } from '@tidings/protocol';
import type { MemoryEventLog } from './memory-event-log.js';
import type { Claim, ClaimedEvent, ConsumerGroups, GroupAckOutcome, GroupInfo, GroupSettings, LogGap, LoggedEvent } from './ports.js';

interface Pending {
  consumer: string;
  /** When it was last handed out (the store's clock). */
  at: number;
  deliveries: number;
}

interface Group {
  settings: GroupSettings;
  lastDelivered: StreamId;
  /** Handed out, not acknowledged, by id. */
  readonly pending: Map<StreamId, Pending>;
  readonly consumers: Set<string>;
  readonly dead: ClaimedEvent[];
}

/** Dead letters kept per group (the newest). */
export const MAX_DEAD_LETTERS = 10_000;

/**
 * Consumer groups in this process's memory, with the Redis store's rules (see ConsumerGroups):
 * every step is synchronous, so two claims never hand out the same event, as Redis' scripts.
 */
export class MemoryConsumerGroups implements ConsumerGroups {
  private readonly groups = new Map<string, Map<string, Group>>();

  constructor(
    private readonly log: MemoryEventLog,
    private readonly now: () => number = Date.now,
  ) {}

  async put(channel: string, group: string, start: GroupStart, settings: GroupSettings): Promise<boolean> {
    let groups = this.groups.get(channel);
    if (!groups) this.groups.set(channel, (groups = new Map()));
    const known = groups.get(group);
    if (known) {
      known.settings = settings;
      return false;
    }
    const lastDelivered = start === 'new' ? this.log.newestId(channel) : start === 'all' ? ZERO_ID : start;
    groups.set(group, { settings, lastDelivered, pending: new Map(), consumers: new Set(), dead: [] });
    return true;
  }

  async info(channel: string, group: string): Promise<GroupInfo | undefined> {
    const state = this.groups.get(channel)?.get(group);
    return state && this.describe(channel, group, state);
  }

  async list(channel: string): Promise<GroupInfo[]> {
    return [...(this.groups.get(channel) ?? [])].map(([group, state]) => this.describe(channel, group, state));
  }

  async all(limit: number): Promise<{ channel: string; group: string }[]> {
    const all: { channel: string; group: string }[] = [];
    for (const [channel, groups] of this.groups) for (const group of groups.keys()) if (all.length < limit) all.push({ channel, group });
    return all;
  }

  async remove(channel: string, group: string): Promise<boolean> {
    return this.groups.get(channel)?.delete(group) ?? false;
  }

  async claim(channel: string, group: string, consumer: string, count: number): Promise<Claim> {
    const state = this.required(channel, group);
    const resets: LogGap[] = [];
    const events: ClaimedEvent[] = [];
    const dead: ClaimedEvent[] = [];
    const unread = this.log.page(channel, state.lastDelivered, 0).gap;
    if (unread) {
      resets.push(unread);
      state.lastDelivered = unread.reason === 'stream-lost' ? ZERO_ID : unread.lostTo;
    }
    const now = this.now();
    const { visibilityMs, maxDeliveries } = state.settings;
    const expired = [...state.pending].filter(([, p]) => now - p.at >= visibilityMs).sort(([a], [b]) => compareStreamIds(a, b));
    for (const [id, pending] of expired) {
      if (events.length >= count) break;
      const event = this.log.entry(channel, id);
      state.pending.delete(id);
      if (!event) {
        resets.push({ channel, lostFrom: previousStreamId(id), lostTo: id, reason: 'retention' });
        continue;
      }
      if (pending.deliveries >= maxDeliveries) {
        const letter = claimed(event, pending.deliveries);
        dead.push(letter);
        state.dead.push(letter);
        if (state.dead.length > MAX_DEAD_LETTERS) state.dead.shift();
        continue;
      }
      state.pending.set(id, { consumer, at: now, deliveries: pending.deliveries + 1 });
      events.push(claimed(event, pending.deliveries + 1));
    }
    if (events.length < count) {
      for (const event of this.log.page(channel, state.lastDelivered, count - events.length).events) {
        state.pending.set(event.id, { consumer, at: now, deliveries: 1 });
        state.lastDelivered = event.id;
        events.push(claimed(event, 1));
      }
    }
    state.consumers.add(consumer);
    return { events, resets, dead };
  }

  async ack(channel: string, group: string, ids: readonly StreamId[]): Promise<GroupAckOutcome[]> {
    const state = this.required(channel, group);
    return ids.map((id) => (state.pending.delete(id) ? 'acked' : 'unknown'));
  }

  async nack(channel: string, group: string, ids: readonly StreamId[]): Promise<GroupAckOutcome[]> {
    const state = this.required(channel, group);
    return ids.map((id) => {
      const pending = state.pending.get(id);
      if (!pending) return 'unknown';
      pending.at = -Infinity; // expired: the next claim takes it
      return 'acked';
    });
  }

  private required(channel: string, group: string): Group {
    const state = this.groups.get(channel)?.get(group);
    if (!state) throw new TidingsError('TIDINGS_GROUP_NOT_FOUND', `${channel} has no consumer group ${group}`);
    return state;
  }

  private describe(channel: string, group: string, state: Group): GroupInfo {
    const rest = this.log.page(channel, state.lastDelivered, Number.MAX_SAFE_INTEGER);
    return {
      channel,
      group,
      ...state.settings,
      consumers: state.consumers.size,
      pending: state.pending.size,
      lag: rest.gap ? null : rest.events.length,
      lastDeliveredId: state.lastDelivered,
      dead: state.dead.length,
    };
  }
}

function claimed(event: LoggedEvent, deliveries: number): ClaimedEvent {
  const { channel, id, event: name, data, ack } = event;
  return ack ? { channel, id, event: name, data, ack, deliveries } : { channel, id, event: name, data, deliveries };
}
