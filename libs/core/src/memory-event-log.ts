import { compareStreamIds, type PublishRequest, type StreamId, streamIdMs, ZERO_ID } from '@tidings/protocol';
import type { MemoryReceiptStore } from './memory-receipt-store.js';
import type { AppendResult, EventLog, LiveNotification, LoggedEvent, ReadPage } from './ports.js';

export interface MemoryEventLogOptions {
  readonly maxLength: number;
  /** Events older than this are trimmed at the channel's next append, and idempotency keys forgotten; absent: kept. */
  readonly maxAgeMs?: number;
  readonly now: () => number;
  readonly receipts?: MemoryReceiptStore;
}

interface MemoryStream {
  entries: LoggedEvent[];
  lastGenerated: StreamId;
  maxDeleted: StreamId;
  lastActiveMs: number;
}

/**
 * An EventLog in this process's memory with the semantics of the Redis one (ms-seq ids, trimming
 * that remembers the newest deleted id, idempotency keys): for unit tests of the core, and for
 * running a single process without Redis.
 */
export class MemoryEventLog implements EventLog {
  private readonly streams = new Map<string, MemoryStream>();
  /** Idempotency key → the event's id, until it expires with retention; oldest first, so expiry is from the front. */
  private readonly idempotency = new Map<string, { readonly id: StreamId; readonly expiresAt: number }>();
  private readonly appendListeners: ((n: LiveNotification) => void)[] = [];

  constructor(private readonly options: MemoryEventLogOptions = { maxLength: 10_000, now: Date.now }) {}

  onAppend(listener: (n: LiveNotification) => void): void {
    this.appendListeners.push(listener);
  }

  async append(channel: string, request: PublishRequest): Promise<AppendResult> {
    const now = this.options.now();
    this.forgetExpiredKeys(now);
    const idemKey = request.idempotencyKey === undefined ? undefined : `${channel}\n${request.idempotencyKey}`;
    const known = idemKey === undefined ? undefined : this.idempotency.get(idemKey);
    if (known !== undefined) return { id: known.id, duplicate: true };
    const stream = this.stream(channel);
    const prev = stream.lastGenerated;
    const id = this.nextId(prev);
    const event: LoggedEvent = { channel, id, event: request.event, data: JSON.stringify(request.data), ...(request.ack ? { ack: true } : {}) };
    stream.entries.push(event);
    stream.lastGenerated = id;
    stream.lastActiveMs = now;
    if (this.options.maxAgeMs !== undefined) this.trimOlderThan(stream, now - this.options.maxAgeMs);
    if (stream.entries.length > this.options.maxLength) this.trim(channel, this.options.maxLength);
    if (idemKey !== undefined) this.idempotency.set(idemKey, { id, expiresAt: now + (this.options.maxAgeMs ?? Infinity) });
    const expected = request.ack ? (this.options.receipts?.expectFromMembers(channel, id) ?? 0) : undefined;
    for (const listener of this.appendListeners) listener({ ...event, prev });
    return expected === undefined ? { id, duplicate: false } : { id, duplicate: false, expected };
  }

  async readAfter(channel: string, after: StreamId, limit: number): Promise<ReadPage> {
    return this.page(channel, after, limit);
  }

  /** readAfter, synchronously: for stores in this process that must read and write in one step. */
  page(channel: string, after: StreamId, limit: number): ReadPage {
    const stream = this.streams.get(channel);
    if (!stream) {
      return after === ZERO_ID ? { events: [] } : { events: [], gap: { channel, lostFrom: after, lostTo: after, reason: 'stream-lost' } };
    }
    let from = after;
    let gap: ReadPage['gap'];
    if (compareStreamIds(stream.lastGenerated, after) < 0) {
      gap = { channel, lostFrom: after, lostTo: after, reason: 'stream-lost' };
      from = ZERO_ID;
    } else if (compareStreamIds(after, stream.maxDeleted) < 0) {
      gap = { channel, lostFrom: after, lostTo: stream.maxDeleted, reason: 'retention' };
      from = stream.maxDeleted;
    }
    const events = stream.entries.filter((e) => compareStreamIds(e.id, from) > 0).slice(0, limit);
    return gap ? { events, gap } : { events };
  }

  async read(channel: string, id: StreamId): Promise<LoggedEvent | undefined> {
    return this.entry(channel, id);
  }

  /** read, synchronously. */
  entry(channel: string, id: StreamId): LoggedEvent | undefined {
    return this.streams.get(channel)?.entries.find((e) => e.id === id);
  }

  async lastId(channel: string): Promise<StreamId> {
    return this.newestId(channel);
  }

  /** lastId, synchronously: for stores in this process that must read it in the same step as a write. */
  newestId(channel: string): StreamId {
    return this.streams.get(channel)?.lastGenerated ?? ZERO_ID;
  }

  async channelsActiveSince(sinceMs: number): Promise<string[]> {
    return [...this.streams].filter(([, s]) => s.lastActiveMs >= sinceMs).map(([channel]) => channel);
  }

  async now(): Promise<number> {
    return this.clock();
  }

  /** now, synchronously. */
  clock(): number {
    return this.options.now();
  }

  /** Keeps only the newest `keep` entries, as retention would. */
  trim(channel: string, keep: number): void {
    const stream = this.streams.get(channel);
    if (!stream || stream.entries.length <= keep) return;
    const removed = stream.entries.splice(0, stream.entries.length - keep);
    stream.maxDeleted = removed.at(-1)?.id ?? stream.maxDeleted;
  }

  private trimOlderThan(stream: MemoryStream, cutMs: number): void {
    const keep = stream.entries.findIndex((e) => streamIdMs(e.id) >= cutMs);
    const removed = stream.entries.splice(0, keep < 0 ? stream.entries.length : keep);
    stream.maxDeleted = removed.at(-1)?.id ?? stream.maxDeleted;
  }

  /** Keys expire in the order they were made: every TTL is the same. */
  private forgetExpiredKeys(now: number): void {
    for (const [key, { expiresAt }] of this.idempotency) {
      if (expiresAt > now) return;
      this.idempotency.delete(key);
    }
  }

  /** Forgets a channel entirely, as a Redis that lost its data would. */
  drop(channel: string): void {
    this.streams.delete(channel);
  }

  private stream(channel: string): MemoryStream {
    let stream = this.streams.get(channel);
    if (!stream) {
      stream = { entries: [], lastGenerated: ZERO_ID, maxDeleted: ZERO_ID, lastActiveMs: 0 };
      this.streams.set(channel, stream);
    }
    return stream;
  }

  private nextId(prev: StreamId): StreamId {
    const ms = this.options.now();
    const prevMs = streamIdMs(prev);
    if (ms > prevMs) return `${ms}-0`;
    return `${prevMs}-${Number(prev.slice(prev.indexOf('-') + 1)) + 1}`;
  }
}
