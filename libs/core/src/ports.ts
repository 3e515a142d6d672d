import type { PublishRequest, StreamId } from '@tidings/protocol';

/** One event as the log stores it; `data` stays serialized JSON so fan-out never re-encodes it. */
export interface LoggedEvent {
  readonly channel: string;
  readonly id: StreamId;
  readonly event: string;
  readonly data: string;
}

export type GapReason = 'retention' | 'stream-lost';

/** Events after a position could not be read because they are gone; subscribers are told with a `reset`. */
export interface LogGap {
  readonly channel: string;
  readonly lostFrom: StreamId;
  readonly lostTo: StreamId;
  readonly reason: GapReason;
}

export interface ReadPage {
  readonly events: readonly LoggedEvent[];
  readonly gap?: LogGap;
}

export interface AppendResult {
  readonly id: StreamId;
  /** True when the idempotency key was seen before: `id` is the original event's. */
  readonly duplicate: boolean;
}

/** The per-channel event log: the source of truth every live path is checked against. */
export interface EventLog {
  append(channel: string, request: PublishRequest): Promise<AppendResult>;
  /** Events with id > `after`, oldest first, at most `limit`. */
  readAfter(channel: string, after: StreamId, limit: number): Promise<ReadPage>;
  /** Id of the newest event ever appended to the channel ('0-0' when none). */
  lastId(channel: string): Promise<StreamId>;
  /** Channels that had events at or after `sinceMs` (a superset is fine): how wildcard subscriptions find channels. */
  channelsActiveSince(sinceMs: number): Promise<string[]>;
  /** The log's clock in milliseconds, the time base of stream ids. */
  now(): Promise<number>;
}

/** What the live path carries: a new event plus the id of the one before it in the same channel. */
export interface LiveNotification extends LoggedEvent {
  readonly prev: StreamId;
}

export interface LiveBusListener {
  notify(notification: LiveNotification): void;
  /** The live path was interrupted since `sinceMs` (log clock, approximate): anything may have been missed. */
  resync(sinceMs: number): void;
}

/** Node-level wake-ups. At-most-once: the hub detects what it misses and reads it from the log. */
export interface LiveBus {
  setListener(listener: LiveBusListener): void;
  watchChannel(channel: string): Promise<void>;
  unwatchChannel(channel: string): Promise<void>;
  /** `glob` comes from patternGlob(): a superset of the pattern's channels. */
  watchGlob(glob: string): Promise<void>;
  unwatchGlob(glob: string): Promise<void>;
}

/** Injected so the core owns no timers. */
export type Schedule = (run: () => void, delayMs: number) => () => void;
