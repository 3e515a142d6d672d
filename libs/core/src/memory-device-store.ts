import { compareStreamIds, type StreamId, TidingsError } from '@tidings/protocol';
import type { ChannelStanding, DeviceLimits, DeviceStore, KeptQos, LogGap, PatternStanding } from './ports.js';

interface Membership {
  seen: number;
  position: StreamId | undefined;
}

interface PatternRecord {
  seen: number;
  readonly floor: StreamId;
  readonly positions: Map<string, StreamId>;
}

export interface MemoryDeviceStoreOptions extends DeviceLimits {
  /** The channel's newest id, read in the same step as the join (the log's own, synchronously). */
  readonly newestId: (channel: string) => StreamId;
  /** The log's clock, the time base of stream ids: a durable pattern's floor. */
  readonly logNow: () => number;
  /** The membership clock (last seen). */
  readonly now: () => number;
}

/**
 * A durable pattern's floor lies this far before its join: an event appended in the same
 * millisecond, or on a Redis Cluster node whose clock is behind the one that read the time, is
 * still after it. The price: up to this much of earlier history on channels the device had not seen.
 */
export const PATTERN_FLOOR_SLACK_MS = 1000;

/** Durable devices in this process's memory, with the Redis store's rules (see DeviceStore). */
export class MemoryDeviceStore implements DeviceStore {
  /** channel → device → membership. */
  private readonly members = new Map<string, Map<string, Membership>>();
  /** device → pattern → record. */
  private readonly patterns = new Map<string, Map<string, PatternRecord>>();
  /** device → its MQTT session's kept filters, and when they were last kept or renewed. */
  private readonly sessions = new Map<string, { seen: number; readonly filters: Map<string, KeptQos> }>();
  /** Channel sizes at their last sweep of forgotten members: sweeping again only after doubling keeps it O(1) amortized. */
  private readonly sweptAt = new Map<string, number>();

  constructor(private readonly options: MemoryDeviceStoreOptions) {}

  async join(channel: string, device: string): Promise<ChannelStanding> {
    const now = this.options.now();
    const members = this.channelMembers(channel);
    const known = members.get(device);
    if (known && known.position !== undefined && known.seen >= now - this.options.idleMs) {
      known.seen = Math.max(known.seen, now);
      return { channel, position: known.position };
    }
    const newest = this.options.newestId(channel);
    members.set(device, { seen: Math.max(known?.seen ?? now, now), position: newest });
    const old = known && known.seen >= now - 2 * this.options.idleMs ? known.position : undefined;
    if (old === undefined || compareStreamIds(old, newest) >= 0) return { channel, position: newest };
    return { channel, position: newest, lapsed: { channel, lostFrom: old, lostTo: newest, reason: 'membership-expired' } };
  }

  async renew(channel: string, devices: readonly string[]): Promise<void> {
    const now = this.options.now();
    const members = this.channelMembers(channel);
    for (const device of devices) {
      const known = members.get(device);
      if (known) known.seen = Math.max(known.seen, now);
      else members.set(device, { seen: now, position: undefined });
    }
  }

  async savePositions(channel: string, positions: ReadonlyMap<string, StreamId>): Promise<void> {
    const members = this.channelMembers(channel);
    for (const [device, id] of positions) {
      const known = members.get(device);
      if (!known) continue; // not a member (any more): nothing to resume
      if (known.position === undefined || compareStreamIds(id, known.position) > 0) known.position = id;
    }
  }

  /** The channel's members now (seen within the idle limit): who an ack event published now expects receipts from. */
  currentMembers(channel: string): string[] {
    const since = this.options.now() - this.options.idleMs;
    const devices: string[] = [];
    for (const [device, { seen }] of this.members.get(channel) ?? []) if (seen >= since) devices.push(device);
    return devices;
  }

  async joinPatterns(device: string, patterns: readonly string[]): Promise<PatternStanding[]> {
    const now = this.options.now();
    const { idleMs, maxPatterns } = this.options;
    let records = this.patterns.get(device);
    if (!records) this.patterns.set(device, (records = new Map()));
    for (const [name, record] of records) if (record.seen < now - 2 * idleMs) records.delete(name);
    const isLive = (record: PatternRecord | undefined): record is PatternRecord => record !== undefined && record.seen >= now - idleMs;
    let live = 0;
    for (const record of records.values()) if (isLive(record)) live += 1;
    const adding = patterns.filter((pattern) => !isLive(records.get(pattern))).length;
    if (live + adding > maxPatterns) throw tooManyPatterns(maxPatterns);
    const floor: StreamId = `${this.options.logNow() - PATTERN_FLOOR_SLACK_MS}-0`;
    return patterns.map((pattern): PatternStanding => {
      const known = records.get(pattern);
      if (isLive(known)) {
        known.seen = Math.max(known.seen, now);
        return { pattern, floor: known.floor, positions: new Map(known.positions) };
      }
      records.set(pattern, { seen: now, floor, positions: new Map() });
      if (!known) return { pattern, floor, positions: new Map() };
      return { pattern, floor, positions: new Map(), lapsed: lapsedPattern(pattern, known, floor) };
    });
  }

  async leavePattern(device: string, pattern: string): Promise<void> {
    this.patterns.get(device)?.delete(pattern);
  }

  async renewPatterns(device: string, patterns: readonly string[]): Promise<void> {
    const now = this.options.now();
    const records = this.patterns.get(device);
    for (const pattern of patterns) {
      const record = records?.get(pattern);
      if (record) record.seen = Math.max(record.seen, now);
    }
  }

  async savePatternPositions(device: string, pattern: string, positions: ReadonlyMap<string, StreamId>): Promise<void> {
    const record = this.patterns.get(device)?.get(pattern);
    if (!record) return; // expired meanwhile: the next join starts a new one
    record.seen = Math.max(record.seen, this.options.now());
    for (const [channel, id] of positions) {
      const old = record.positions.get(channel);
      if (old === undefined ? record.positions.size < this.options.maxChannelsPerPattern : compareStreamIds(id, old) > 0) record.positions.set(channel, id);
    }
  }

  async keepFilters(device: string, filters: ReadonlyMap<string, KeptQos>, max: number): Promise<boolean> {
    const kept = this.liveSession(device)?.filters ?? new Map<string, KeptQos>();
    let added = 0;
    for (const filter of filters.keys()) if (!kept.has(filter)) added += 1;
    if (kept.size + added > max) return false;
    for (const [filter, qos] of filters) kept.set(filter, qos);
    this.sessions.set(device, { seen: this.options.now(), filters: kept });
    return true;
  }

  async keptFilters(device: string): Promise<Map<string, KeptQos>> {
    return new Map(this.liveSession(device)?.filters);
  }

  async dropFilters(device: string, filters: readonly string[] | undefined): Promise<void> {
    if (filters === undefined) this.sessions.delete(device);
    else for (const filter of filters) this.sessions.get(device)?.filters.delete(filter);
  }

  async renewFilters(device: string): Promise<void> {
    const session = this.liveSession(device);
    if (session) session.seen = this.options.now();
  }

  /** A session's filters live twice the idle limit after they were last kept or renewed, like its memberships' keys. */
  private liveSession(device: string): { seen: number; readonly filters: Map<string, KeptQos> } | undefined {
    const session = this.sessions.get(device);
    if (session && session.seen >= this.options.now() - 2 * this.options.idleMs) return session;
    this.sessions.delete(device);
    return undefined;
  }

  private channelMembers(channel: string): Map<string, Membership> {
    let members = this.members.get(channel);
    if (!members) this.members.set(channel, (members = new Map()));
    if (members.size > 2 * (this.sweptAt.get(channel) ?? 32)) {
      const forgetBefore = this.options.now() - 2 * this.options.idleMs;
      for (const [device, { seen }] of members) if (seen < forgetBefore) members.delete(device);
      this.sweptAt.set(channel, members.size);
    }
    return members;
  }
}

/** What a device whose pattern record lapsed may have missed: everything after its oldest position, up to the new floor. */
export function lapsedPattern(pattern: string, record: { readonly floor: StreamId; readonly positions: ReadonlyMap<string, StreamId> }, floor: StreamId): LogGap {
  let lostFrom = record.floor;
  for (const id of record.positions.values()) if (compareStreamIds(id, lostFrom) < 0) lostFrom = id;
  return { channel: pattern, lostFrom, lostTo: floor, reason: 'membership-expired' };
}

export function tooManyPatterns(max: number): TidingsError {
  return new TidingsError('TIDINGS_TOO_MANY_PATTERNS', `this device already follows ${max} wildcard patterns durably (limits.maxDurablePatterns)`);
}
