// Messages between the load generator's coordinator and its child processes (Node IPC, JSON).
import type { HistogramSnapshot } from './latency-histogram.js';
import type { SourcePlan } from './source-endpoints.js';

/** `poll`: Tidings' long-poll (`since`/`timeout` query, a JSON answer with a cursor), one keep-alive connection per subscriber. */
export type Transport = 'sse' | 'ws' | 'poll';

export interface Target {
  readonly host: string;
  readonly port: number;
}

/** How a subscriber subscribes: one per kind of connection in a run (transport, channel, server protocol). */
export interface Route {
  readonly transport: Transport;
  /** Request path, query included; every `{n}` becomes the connection's run-wide number (a device id). */
  readonly path: string;
  /** WebSocket: a text frame sent after the upgrade (a subscribe), or null (the URL says it all). */
  readonly wsSubscribe: string | null;
  /** WebSocket: the connection is ready once this many server data frames arrived (default 1; 0: at the upgrade). */
  readonly wsReadyFrames?: number;
  /** WebSocket: a text frame starting with [0] is answered with [1] (a protocol's own keep-alive). */
  readonly wsReplies?: ReadonlyArray<readonly [string, string]>;
  /** WebSocket: acknowledge every Tidings event frame that asks for it ("ack":true). */
  readonly ackEvents?: boolean;
  /** WebSocket: the subprotocol to offer (MQTT: `mqtt`). */
  readonly wsProtocol?: string;
  /** WebSocket: bytes (base64) sent in one binary frame after the upgrade, instead of wsSubscribe (MQTT's CONNECT + SUBSCRIBE). */
  readonly wsSubscribeBinary?: string;
}

/** The JS client's `reconnect` settings (its defaults where absent). */
export interface ReconnectSettings {
  readonly baseMs?: number;
  readonly maxMs?: number;
}

/** What one generator process connects: its share of the run's connections. */
export interface GeneratorPlan {
  readonly type: 'plan';
  /** Connection i of the process goes to targets[(firstConnection + i) % targets.length]. */
  readonly targets: readonly Target[];
  /** Connection i subscribes by routes[(firstConnection + i) % routes.length]. */
  readonly routes: readonly Route[];
  /** Connection i connects from sourceEndpoint(firstConnection + i, sources). */
  readonly sources: SourcePlan;
  /** The run-wide index of this process's first connection, so sampling and spreading are run-wide. */
  readonly firstConnection: number;
  readonly connections: number;
  /** Connections whose run-wide index is a multiple of this parse send times. */
  readonly sampleEvery: number;
  readonly firstSeq: number;
  /** Connection attempts in flight at once. */
  readonly connectConcurrency: number;
  /** Connections not ready this long after the plan (or, for the rest, `more`) arrived are given up. */
  readonly connectTimeoutMs: number;
  /**
   * Connections to open before the first `connected`; the rest are opened on `more`, then
   * `connected` again. Absent: all at once.
   */
  readonly connectFirst?: number;
  /**
   * Durable devices: a connection that ends after it was ready connects again after the JS
   * client's backoff with these settings and resumes from its position. Absent: it stays down.
   */
  readonly reconnect?: ReconnectSettings;
  /** Connections in the whole run: reconnect attempt k of connection n connects from source n + k × this. */
  readonly totalConnections: number;
}

/**
 * The clock of a fault starts (durable runs): each connection's recovery ends with the first
 * event numbered above `afterSeqByRoute[its route]`. With `reset`, every connection is reset at
 * once first (as a network cut or a failed balancer would), and reconnects.
 */
export interface CutRequest {
  readonly type: 'cut';
  readonly reset: boolean;
  readonly afterSeqByRoute: readonly number[];
}

export interface FinishRequest {
  readonly type: 'finish';
  /** The last sequence number published. */
  readonly lastSeq: number;
  /** Per route, when each route's channel has a sequence of its own (overrides lastSeq). */
  readonly lastSeqByRoute?: readonly number[];
  readonly drain: DrainLimits;
}

/**
 * How long to wait for the last events. A server may accept events faster than it delivers them
 * (Nchan answers a publish before delivering it), so a backlog still arriving is waited for, up to
 * a bound; what has not arrived once deliveries stop for `stallMs` is lost.
 */
export interface DrainLimits {
  readonly stallMs: number;
  readonly maxMs: number;
}

/** Why the wait for the last events ended: all in, nothing more arriving, or the time bound. */
export type DrainEnd = 'complete' | 'stalled' | 'limit';

export type ToGenerator = GeneratorPlan | { readonly type: 'more' } | CutRequest | FinishRequest | { readonly type: 'close' };

/** Durable runs: how the connections came back after a cut. */
export interface ResumeCounts {
  /** Reconnect attempts that were ready again. */
  readonly resumed: number;
  /** Reconnect attempts that failed before they were ready, by reason (ECONNREFUSED: refused). */
  readonly attemptFailures: Readonly<Record<string, number>>;
  /** Cuts so far, and the connections (ever ready) that had an event published after the last one. */
  readonly cuts: number;
  readonly recovered: number;
}

export interface ConnectSummary {
  readonly ready: number;
  readonly failed: number;
  /** Distinct failure reasons with their counts. */
  readonly failures: Readonly<Record<string, number>>;
}

/** Sent every second from the plan on: connect progress, then deliveries and recent latency. */
export interface GeneratorProgress extends ConnectSummary, ResumeCounts {
  /** Distinct sequence numbers received so far, summed over connections. */
  readonly deliveries: number;
  /** Connections the server ended so far. */
  readonly dropped: number;
  /** Acknowledgements sent and confirmed by the server so far (receipts runs). */
  readonly acksSent: number;
  readonly acksConfirmed: number;
  /** Latency samples since the previous progress message. */
  readonly recentLatency: HistogramSnapshot;
}

export interface GeneratorReport extends ResumeCounts {
  readonly connections: number;
  /** Distinct sequence numbers received, summed over connections. */
  readonly deliveries: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly outOfOrder: number;
  readonly gaps: number;
  readonly drainEnd: DrainEnd;
  /** Connections still missing events when the drain ended. */
  readonly incomplete: number;
  /** Connections the server ended during the run, by reason. */
  readonly dropped: Readonly<Record<string, number>>;
  readonly latency: HistogramSnapshot;
  readonly acksSent: number;
  readonly acksConfirmed: number;
  /** Wall clock (µs) of the last read that carried an event; NaN when none did. */
  readonly lastDeliveryMicros: number;
  /** From each cut to each recovered connection's first event published after it (µs), all cuts together. */
  readonly recovery: HistogramSnapshot;
}

export type FromGenerator =
  | ({ readonly type: 'progress' } & GeneratorProgress)
  | ({ readonly type: 'connected' } & ConnectSummary)
  | { readonly type: 'report'; readonly report: GeneratorReport };
