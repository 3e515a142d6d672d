import type { GroupStart, PublishRequest, ResetReason, StreamId } from '@tidings/protocol';

/** One event as the log stores it; `data` stays serialized JSON so fan-out never re-encodes it. */
export interface LoggedEvent {
  readonly channel: string;
  readonly id: StreamId;
  readonly event: string;
  readonly data: string;
  /** Published with `ack: true`: the channel's members at that moment owe a receipt. */
  readonly ack?: boolean;
}

export type GapReason = ResetReason;

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
  /** For `ack: true` events: how many devices owe a receipt (the channel's members then). */
  readonly expected?: number;
}

/** The per-channel event log: the source of truth every live path is checked against. */
export interface EventLog {
  append(channel: string, request: PublishRequest): Promise<AppendResult>;
  /**
   * Events with id > `after`, oldest first, at most `limit`. `afterFloor`: `after` is a wildcard
   * subscription's floor (a time), not a position the reader had in this channel, so it cannot be
   * from an earlier life of the channel (one the log has forgotten since).
   */
  readAfter(channel: string, after: StreamId, limit: number, afterFloor?: boolean): Promise<ReadPage>;
  /** One event, if the log still has it. */
  read(channel: string, id: StreamId): Promise<LoggedEvent | undefined>;
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

/** The worker asks whichever nodes hold these devices' connections to write an ack event again. */
export interface Redelivery {
  readonly event: LoggedEvent;
  readonly devices: readonly string[];
}

/** A device started or stopped being present on a channel through a node (best effort, like all pub/sub). */
export interface PresenceChange {
  readonly channel: string;
  readonly device: string;
  readonly node: string;
  readonly action: 'join' | 'leave';
  /** For a leave: 'expired' when its node stopped reporting (crashed) and the entry timed out. */
  readonly reason?: 'expired';
}

export interface LiveBusListener {
  notify(notification: LiveNotification): void;
  redeliver(redelivery: Redelivery): void;
  presenceChanged(change: PresenceChange): void;
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

export type ReceiptState = 'pending' | 'delivered' | 'received' | 'processed' | 'failed' | 'dead';

/** One device's part in an event that asked for receipts. */
export interface DeviceReceipt {
  readonly device: string;
  readonly state: ReceiptState;
  /** Times the event was written to one of the device's connections. */
  readonly attempts: number;
  /** Redelivery rounds the worker ran for this device. */
  readonly retries: number;
  readonly deliveredAt?: number;
  readonly receiptAt?: number;
  readonly detail?: string;
  /** While open: when the worker's next round for it is due. */
  readonly nextRetryAt?: number;
  readonly deadAt?: number;
}

export interface ReceiptPage {
  readonly publishedAt: number;
  readonly expected: number;
  readonly devices: readonly DeviceReceipt[];
  /** Pass back to read the next page; absent on the last. */
  readonly next?: string;
}

export type ReceiptOutcome = { readonly result: 'recorded' | 'unchanged'; readonly receipt: DeviceReceipt };

/** The receipts devices owe for ack events (who owes them is the DeviceStore's membership). */
export interface ReceiptStore {
  /** The event was written to these devices' connections. */
  markDelivered(channel: string, id: StreamId, devices: readonly string[]): Promise<void>;
  /** A device's own receipt. Throws TidingsError RECEIPT_NOT_EXPECTED or RECEIPT_CONFLICT. */
  record(channel: string, id: StreamId, device: string, status: 'received' | 'processed' | 'failed', detail?: string): Promise<ReceiptOutcome>;
  /** Ack events the worker has redelivered to the device that it has not answered: sent again when it connects. */
  owed(channel: string, device: string, limit: number): Promise<StreamId[]>;
  /** Every expected device's state, a page at a time; undefined when the event expects no receipts. */
  list(channel: string, id: StreamId, page: { after?: string; limit: number }): Promise<ReceiptPage | undefined>;
}

/** Where a device resumes one exact channel, as its membership stood when it (re)joined. */
export interface ChannelStanding {
  readonly channel: string;
  /** Its saved position; for a membership that starts now, the channel's newest id at that moment. */
  readonly position: StreamId;
  /** Its previous membership had lapsed: what it may have missed, from its old position to `position`. */
  readonly lapsed?: LogGap;
}

/** Where a device resumes one wildcard pattern it follows durably. */
export interface PatternStanding {
  readonly pattern: string;
  /** When the device began to follow the pattern (log clock): matching channels not in `positions` resume after it. */
  readonly floor: StreamId;
  /** The last event written to the device per channel the pattern has matched. */
  readonly positions: ReadonlyMap<string, StreamId>;
  /** Its previous record had lapsed: what it may have missed (`channel` is the pattern, `lostTo` the new floor). */
  readonly lapsed?: LogGap;
}

/** How long devices stay members, and how much a device may keep durably. */
export interface DeviceLimits {
  /** A device stays a member this long after it was last connected (renewed while connected). */
  readonly idleMs: number;
  /** Wildcard patterns one device may follow durably at once. */
  readonly maxPatterns: number;
  /** Channels one durable pattern remembers a position for (more are read from its floor again). */
  readonly maxChannelsPerPattern: number;
}

/**
 * Durable devices (docs/architecture.md "Durable devices"): a device that names itself becomes a
 * member of its exact channels and keeps a record per wildcard pattern; each holds the position it
 * resumes from when it comes back without a cursor. A membership starts at the channel's newest id,
 * atomically with the join, so nothing published after a join is skipped; positions only move
 * forward. A member not seen for `idleMs` has lapsed: it owes no receipts and, when it comes back
 * within another `idleMs`, starts again from now with its loss named; after that it is forgotten.
 */
export interface DeviceStore {
  /** Makes the device a member of the channel as of now (renewing a live membership) and says where it resumes. */
  join(channel: string, device: string): Promise<ChannelStanding>;
  /** Renews the memberships of devices still connected (batched: one call per channel). */
  renew(channel: string, devices: readonly string[]): Promise<void>;
  /** The last event written to each device on the channel; a position never moves back. */
  savePositions(channel: string, positions: ReadonlyMap<string, StreamId>): Promise<void>;
  /**
   * Starts (or renews) the device's durable records of these (distinct) patterns and says where
   * each resumes, in order. All or none: throws TidingsError TIDINGS_TOO_MANY_PATTERNS, changing
   * nothing, when the device would follow more than `maxPatterns` at once.
   */
  joinPatterns(device: string, patterns: readonly string[]): Promise<PatternStanding[]>;
  /** The device stops following the pattern (an explicit unsubscribe): its record goes, freeing its place. */
  leavePattern(device: string, pattern: string): Promise<void>;
  /** Renews the device's records of these patterns while it follows them. */
  renewPatterns(device: string, patterns: readonly string[]): Promise<void>;
  /** Moves the record's channel positions forward (never back; new channels up to the cap). */
  savePatternPositions(device: string, pattern: string, positions: ReadonlyMap<string, StreamId>): Promise<void>;
  /**
   * A persistent MQTT session's subscriptions (filter → granted QoS), kept beside its memberships
   * and expiring with them (twice the idle limit after the last keep or renewal). Adds or updates;
   * false, changing nothing, when the session would keep more than `max` filters.
   */
  keepFilters(device: string, filters: ReadonlyMap<string, KeptQos>, max: number): Promise<boolean>;
  /** The session's kept filters; empty when it has none or they expired. */
  keptFilters(device: string): Promise<Map<string, KeptQos>>;
  /** The session no longer has these filters (an UNSUBSCRIBE), or none at all (`undefined`: a clean start). */
  dropFilters(device: string, filters: readonly string[] | undefined): Promise<void>;
  /** A connected session's filters stay kept. */
  renewFilters(device: string): Promise<void>;
}

/** The QoS a kept MQTT subscription was granted. */
export type KeptQos = 0 | 1;

/** A device online on a channel through one node. */
export interface PresenceEntry {
  readonly device: string;
  readonly node: string;
  readonly since: number;
  readonly lastSeen: number;
}

/**
 * Who is online where. Edges report their connected devices in batches (never a timer per
 * connection); entries not refreshed within the TTL are gone, so a crashed node's devices drop out.
 * A device becoming present through a node, or leaving it, is announced on the live path.
 */
export interface PresenceStore {
  /** These devices are connected to `node` on `channel` now (`since` kept from the first report). */
  refresh(channel: string, node: string, devices: readonly string[]): Promise<void>;
  /** These devices left `node` on `channel`. */
  leave(channel: string, node: string, devices: readonly string[]): Promise<void>;
  /** Devices seen within the TTL, one entry per device and node. */
  online(channel: string): Promise<PresenceEntry[]>;
}

/** What an edge says about itself, periodically: the admin API's view of the cluster. */
export interface NodeReport {
  readonly node: string;
  readonly startedAt: number;
  /** `mqtt` is absent from the reports of nodes older than MQTT support. */
  readonly connections: { readonly sse: number; readonly ws: number; readonly mqtt?: number };
  /** Open subscriptions per channel or pattern on this node (the busiest, when there are very many). */
  readonly subscriptions: Readonly<Record<string, number>>;
}

export interface NodeStatus extends NodeReport {
  readonly lastSeen: number;
  /** Reported within the TTL; a node that stopped reporting (crashed) is listed as not alive until pruned. */
  readonly alive: boolean;
}

export interface NodeRegistry {
  report(report: NodeReport): Promise<void>;
  /** A node leaving on purpose (graceful shutdown). */
  remove(node: string): Promise<void>;
  nodes(): Promise<NodeStatus[]>;
}

/** A publisher API key as stored: never the key itself, only a hash of its secret. */
export interface StoredApiKey {
  readonly id: string;
  readonly name: string;
  readonly secretHash: string;
  /** Channels and patterns it may publish on (and read receipts of). */
  readonly publish: readonly string[];
  /** Channels and patterns it may subscribe to (and read history and presence of). */
  readonly subscribe: readonly string[];
  /** Channels and patterns whose consumer groups it may manage and consume from (absent on older keys: none). */
  readonly consume?: readonly string[];
  readonly createdAt: number;
  /** Made from --auth-api-keys-file: revoking keeps it, marked revoked, so that seeding the same file again does not bring it back. */
  readonly seeded?: true;
  /** Set on a seeded key an admin revoked, and on keys stored before revoking deleted them: such a key is refused. */
  readonly revokedAt?: number;
}

/**
 * Where API keys live, cluster-wide. A revoked key is deleted — a seeded one is kept, marked revoked
 * — so the store never grows past the live keys and the keys its seed files ever listed.
 */
export interface ApiKeyStore {
  create(key: StoredApiKey): Promise<void>;
  get(id: string): Promise<StoredApiKey | undefined>;
  list(): Promise<StoredApiKey[]>;
  /** Revokes the key at `now`; false when there is no such live key (never made, or revoked already). */
  revoke(id: string, now: number): Promise<boolean>;
}

/** What revoking does to a stored key: undefined means delete it. */
export function revokedForm(key: StoredApiKey, now: number): StoredApiKey | undefined {
  return key.seeded ? { ...key, revokedAt: now } : undefined;
}

/** Publish budgets per principal (a token's device, an API key), shared by every node. */
export interface RateLimiter {
  /** Takes `cost` from the principal's bucket, or says how long to wait. */
  take(principal: string, cost: number): Promise<{ allowed: boolean; retryAfterMs: number }>;
}

/** How a consumer group hands out its channel's events. */
export interface GroupSettings {
  /** An event claimed and not acknowledged for this long goes to the next claim (of any consumer). */
  readonly visibilityMs: number;
  /** Deliveries of one event at most; the next one moves it to the group's dead letters instead. */
  readonly maxDeliveries: number;
}

export interface GroupInfo extends GroupSettings {
  readonly channel: string;
  readonly group: string;
  /** Consumers that ever claimed (until they are forgotten with the group). */
  readonly consumers: number;
  /** Events handed out and not yet acknowledged. */
  readonly pending: number;
  /** Events not handed out yet; null when the log cannot tell (after trimming). */
  readonly lag: number | null;
  /** The newest event handed out ('0-0' for none). */
  readonly lastDeliveredId: StreamId;
  /** Events moved to the dead letters, kept (the newest ones, up to a bound). */
  readonly dead: number;
}

/** An event as a claim hands it to a consumer. */
export interface ClaimedEvent extends LoggedEvent {
  /** Times the event was handed out, this time included. */
  readonly deliveries: number;
}

export interface Claim {
  readonly events: readonly ClaimedEvent[];
  /** Events this group will never get: trimmed from the log before it read or acknowledged them. */
  readonly resets: readonly LogGap[];
  /** Events moved to the dead letters by this claim: handed out `maxDeliveries` times already. */
  readonly dead: readonly ClaimedEvent[];
}

/** Per id of an ack or a nack: done, or not pending for the group (already acknowledged, never handed out, unknown). */
export type GroupAckOutcome = 'acked' | 'unknown';

/**
 * Consumer groups on a channel's own log (docs/architecture.md "Consumer groups"): each event of
 * the channel goes to one consumer of each group, at least once; one not acknowledged within the
 * visibility timeout is handed out again; after `maxDeliveries` it is dead-lettered.
 */
export interface ConsumerGroups {
  /** Creates the group reading from `start`, or updates an existing one's settings (its position stays). True when created. */
  put(channel: string, group: string, start: GroupStart, settings: GroupSettings): Promise<boolean>;
  info(channel: string, group: string): Promise<GroupInfo | undefined>;
  list(channel: string): Promise<GroupInfo[]>;
  /** Up to `limit` groups of any channel (the admin API's list). */
  all(limit: number): Promise<{ channel: string; group: string }[]>;
  /** Deletes the group, its pending events and dead letters; false when there was none. */
  remove(channel: string, group: string): Promise<boolean>;
  /**
   * Up to `count` events for `consumer`: first those handed out and not acknowledged within the
   * visibility timeout (so redelivery cannot starve), then new ones. Never waits. Throws
   * TidingsError TIDINGS_GROUP_NOT_FOUND.
   */
  claim(channel: string, group: string, consumer: string, count: number): Promise<Claim>;
  ack(channel: string, group: string, ids: readonly StreamId[]): Promise<GroupAckOutcome[]>;
  /** Gives events back at once: the next claim of any consumer gets them. */
  nack(channel: string, group: string, ids: readonly StreamId[]): Promise<GroupAckOutcome[]>;
}
