// Public types of the client SDK. The injectable constructors are typed structurally so the
// browser globals, the `ws` package and test fakes all fit without casts.
import type { CursorStorage } from './stored-cursor.js';

/** One event; `Data` and `Name` narrow it when the application declares its events (see `onEvents`). */
export interface TidingsEvent<Data = unknown, Name extends string = string> {
  channel: string;
  id: string;
  event: Name;
  data: Data;
  /** The publisher asked for receipts: answer with `ack()` (when this client names a device). */
  ack?: true;
  /**
   * Sent again, out of stream order, because this device has not answered an `ack: true` event:
   * it may repeat one already handled; answer it with `ack()` either way.
   */
  redelivery?: true;
}

export interface ResetNotice {
  channel: string;
  lostFrom: string;
  lostTo: string;
  reason: string;
}

/** A device joined or left one of the subscription's exact channels (it asked with `onPresence`). */
export interface PresenceEvent {
  channel: string;
  device: string;
  /** The edge the device is connected to. */
  node: string;
  action: 'join' | 'leave';
  /** `expired`: the device's node stopped reporting it (a crash, a partition), not a clean leave. */
  reason?: 'expired';
}

/** One expected device's receipt for an ack event. */
export interface DeviceReceipt {
  device: string;
  state: 'pending' | 'delivered' | 'received' | 'processed' | 'failed' | 'dead';
  attempts: number;
  retries: number;
  deliveredAt?: number;
  receiptAt?: number;
  detail?: string;
  nextRetryAt?: number;
  deadAt?: number;
}

/** A page of an ack event's receipts: `client.receipts(channel, id)`; pass `next` as `after` for the next. */
export interface ReceiptsPage {
  channel: string;
  id: string;
  publishedAt: number;
  expected: number;
  devices: DeviceReceipt[];
  /** How many devices are in each state, on this page. */
  states: Partial<Record<DeviceReceipt['state'], number>>;
  next?: string;
}

/** Who is on a channel now, cluster-wide: `client.presence(channel)`. */
export interface PresenceSnapshot {
  channel: string;
  online: number;
  devices: { device: string; node: string; since: number; lastSeen: number }[];
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

export type TransportName = 'sse' | 'ws' | 'poll';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

// The browser's, the `ws` package's and a fake's addEventListener overloads only agree on a
// listener taking `any`; the transports narrow the event themselves.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyListener = (event: any) => void;

/** The part of WHATWG `EventSource` the client uses. */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: AnyListener): void;
  close(): void;
}
export type EventSourceConstructor = new (url: string) => EventSourceLike;

/** The part of WHATWG `WebSocket` the client uses (the `ws` package fits too). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: AnyListener): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export type TimerHandle = unknown;
/** Injected so tests (and odd runtimes) control time. */
export interface Timers {
  setTimeout(run: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface ReconnectOptions {
  /** First backoff ceiling in ms (default 1000); doubles per failed attempt. */
  baseMs?: number;
  /** Largest backoff ceiling in ms (default 30000). */
  maxMs?: number;
}

export interface ClientOptions {
  /** Base URL of an edge (or the load balancer in front): `https://host[:port][/prefix]`. */
  url: string;
  transport?: TransportName | 'auto';
  /** Device id: the server tracks delivery receipts and presence per device (a token's `sub`). */
  device?: string;
  /**
   * Credentials: a JWT, or a function giving one. A function is called for every connection and
   * request, so when a token expires (mid-stream too) the client fetches a fresh one and resumes.
   */
  token?: string | (() => string | Promise<string>);
  fetch?: FetchLike;
  EventSource?: EventSourceConstructor;
  WebSocket?: WebSocketConstructor;
  /** Source of jitter, in [0, 1). Default Math.random. */
  random?: () => number;
  reconnect?: ReconnectOptions;
  timers?: Timers;
  /** WebSocket liveness: a ping this often; no answer by the next one closes and reconnects. 0 disables. Default 25000. */
  heartbeatMs?: number;
  /** Long-poll `timeout` parameter in seconds (default 25). */
  pollTimeoutSec?: number;
  /**
   * Keeps each subscription's cursor here (`sessionStorage`, `localStorage`, or anything with
   * getItem/setItem/removeItem), so a page that reloads resumes after the last event it handled.
   * Keyed by URL, device and the set of channels and patterns; `since` still wins when given.
   */
  cursorStorage?: CursorStorage;
}

export interface SubscribeOptions {
  /** Resume point: a cursor from a previous subscription (or, for one exact channel, a stream id). */
  since?: string;
  onReset?: (notice: ResetNotice) => void;
  onState?: (state: ConnectionState) => void;
  /** Errors that end the subscription (e.g. 4xx, terminal close codes) and errors thrown by callbacks. */
  onError?: (error: Error) => void;
  /**
   * Join and leave news of the subscription's exact channels (not patterns), over SSE and
   * WebSocket; long-poll carries none (`onError` says so once: ask `presence()` instead). Best
   * effort, like all live news: `client.presence(channel)` is the truth.
   */
  onPresence?: (event: PresenceEvent) => void;
}

export interface PublishOptions {
  event?: string;
  ack?: boolean;
  idempotencyKey?: string;
}

export interface PublishResult {
  id: string;
  channel: string;
}

export interface AckOptions {
  status?: 'received' | 'processed' | 'failed';
  detail?: string;
}

export interface ClientSubscription {
  /** The position that covers everything delivered so far; pass it as `since` to resume later. */
  readonly cursor: string | undefined;
  close(): void;
}

export interface TidingsClient {
  /** Which transport `auto` resolved to. */
  readonly transport: TransportName;
  subscribe(channels: string | string[], onEvent: (e: TidingsEvent) => void, opts?: SubscribeOptions): ClientSubscription;
  /** Rejects with a TidingsClientError. */
  publish(channel: string, data: unknown, opts?: PublishOptions): Promise<PublishResult>;
  /** Sends this device's delivery receipt for one event (needs `device`). Rejects with a TidingsClientError. */
  ack(channel: string, id: string, opts?: AckOptions): Promise<void>;
  /** A page of an ack event's receipts (needs the publish right on the channel). Rejects with a TidingsClientError. */
  receipts(channel: string, id: string, page?: { limit?: number; after?: string }): Promise<ReceiptsPage>;
  /** Who is on an exact channel now, cluster-wide (over HTTP). Rejects with a TidingsClientError. */
  presence(channel: string): Promise<PresenceSnapshot>;
  /** A consumer group of an exact channel (over HTTP; needs fetch). */
  group(channel: string, group: string): ConsumerGroupHandle;
  close(): void;
}

/** An event as a consumer group hands it out. */
export interface ClaimedEvent extends TidingsEvent {
  /** Times it was handed out, this time included. */
  deliveries: number;
}

export interface GroupClaim {
  events: ClaimedEvent[];
  /** Events the group will never get: trimmed before it read or acknowledged them. */
  resets: ResetNotice[];
  /** Events moved to the group's dead letters by this claim: handed out its maximum number of times. */
  dead: ClaimedEvent[];
}

export interface GroupSettings {
  /** Where a new group starts: 'new' (default), 'all' (everything kept), or after an event id. */
  start?: 'new' | 'all' | string;
  visibilitySeconds?: number;
  maxDeliveries?: number;
}

export interface GroupInfo {
  channel: string;
  group: string;
  visibilitySeconds: number;
  maxDeliveries: number;
  consumers: number;
  pending: number;
  /** Events not handed out yet; null when the server cannot tell (after trimming). */
  lag: number | null;
  lastDeliveredId: string;
  dead: number;
}

export interface ConsumeOptions {
  /** This consumer's name in the group: one per replica (a restarted replica may reuse its name). */
  consumer: string;
  /** Events per claim (default 10). */
  count?: number;
  /** Seconds a claim waits for work (default 25). */
  wait?: number;
  onReset?: (notice: ResetNotice) => void;
  /** Events the group gave up on (dead letters). */
  onDead?: (event: ClaimedEvent) => void;
  /** Server, network and handler errors; the loop goes on. */
  onError?: (error: Error) => void;
  reconnect?: ReconnectOptions;
}

export interface GroupConsumer {
  /** Ends the loop after the event in hand; events claimed and not handled go back to the group. */
  stop(): Promise<void>;
}

/** One consumer group of a channel (see the README's "Consumer groups"). */
export interface ConsumerGroupHandle {
  readonly channel: string;
  readonly group: string;
  /** Creates the group, or updates its settings (an existing group keeps its position). */
  put(settings?: GroupSettings): Promise<GroupInfo & { created: boolean }>;
  info(): Promise<GroupInfo>;
  remove(): Promise<void>;
  claim(options: { consumer: string; count?: number; wait?: number }, signal?: AbortSignal): Promise<GroupClaim>;
  ack(ids: readonly string[]): Promise<Record<string, 'acked' | 'unknown'>>;
  /** Gives events back at once: the next claim of any consumer gets them. */
  nack(ids: readonly string[]): Promise<Record<string, 'acked' | 'unknown'>>;
  /** Runs a consumer loop; see ConsumeOptions. */
  consume(handler: (event: ClaimedEvent) => unknown, options: ConsumeOptions): GroupConsumer;
}
