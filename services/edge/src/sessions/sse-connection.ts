import type { EventBatch, LogGap, LoggedEvent, PresenceChange, Subscription, SubscriptionSink } from '@tidings/core';
import type { Logger, Metrics } from '@tidings/observability';
import { encodeSseComment, encodeSseEvent, encodeSseRetry, ERRORS, errorBody, isTidingsError, type Subscription as SubscriptionSpec } from '@tidings/protocol';
import type { Chunk, SseStream, StreamListener, WriteOutcome } from '@tidings/transport-uws';
import type { DeviceSession, DeviceTracker, RedeliveryTarget } from '../node/device-tracker.js';
import type { PresenceListener } from '../node/presence-watchers.js';
import type { SubscriptionCounts } from '../node/subscription-counts.js';
import { redeliveryEnvelope, sseBatchFrames, sseFrameTail } from './event-frames.js';
import type { Session, SessionRegistry } from './session-registry.js';

/** What an SSE connection needs of its node: one object shared by all of them (the node's context fits). */
export interface SseConnectionDeps {
  readonly metrics: Metrics;
  readonly devices: DeviceTracker;
  readonly logger: Logger;
  readonly sessions: SessionRegistry;
  readonly subscriptionCounts: SubscriptionCounts;
  /** `retryMs`: the `retry:` a stream is ended with when the node cannot serve it now. */
  readonly config: { readonly sse: { readonly retryMs: number } };
}

/** What one stream subscribes with and holds until it closes. */
export interface SseConnectionOptions {
  readonly specs: readonly SubscriptionSpec[];
  /** Every event named `message` (`uniform=1`). */
  readonly uniform: boolean;
  readonly device: DeviceSession | undefined;
  readonly deviceId: string | undefined;
  /** When its credentials stop being valid, ms since the epoch. */
  readonly expiresAt: number | undefined;
  /** Its place under the connection limits. */
  readonly releaseSlot: () => void;
}

const HEARTBEAT = Buffer.from(encodeSseComment('hb'));
const TOKEN_EXPIRED = encodeSseEvent({ event: 'token-expired', data: JSON.stringify(errorBody('TIDINGS_TOKEN_EXPIRED', ERRORS.TIDINGS_TOKEN_EXPIRED.message).error) });

/**
 * One SSE connection: writes its subscription's events (shared bytes for one-channel streams, an
 * own `id:` line plus the shared rest otherwise), redeliveries and presence news, holds them until
 * the stream has opened, is the node's handle on it (heartbeats, token expiry, shutdown), and gives
 * everything back when the stream closes. Methods, not closures: an idle stream costs little.
 */
export class SseConnection implements SubscriptionSink, RedeliveryTarget, PresenceListener, Session, StreamListener {
  get transport(): 'sse' {
    return 'sse';
  }
  get owedOnConnect(): true {
    return true;
  }
  readonly expiresAt: number | undefined;
  /** Output before the stream opened, and a device's events among it (written, for its position, only once sent). */
  private held: Chunk[] | undefined = [];
  private heldEvents: LoggedEvent[] | undefined;
  /** Failed before the stream opened: it opens only to say why, then ends. */
  private endOnOpen = false;
  private subscription: Subscription | undefined;
  private stopWatchingPresence: (() => void) | undefined;
  private counted = false;
  private closed = false;

  constructor(
    private readonly deps: SseConnectionDeps,
    private readonly stream: SseStream,
    private readonly options: SseConnectionOptions,
  ) {
    this.expiresAt = options.expiresAt;
    options.device?.attach(this);
  }

  /** The subscription it writes; closed with the stream. */
  follow(subscription: Subscription): void {
    this.subscription = subscription;
    if (this.closed) subscription.close();
  }

  /** Join and leave events of its exact channels, until the stream closes. */
  watchPresence(stop: () => void): void {
    if (this.closed) stop();
    else this.stopWatchingPresence = stop;
  }

  streamClosed(): void {
    this.closed = true;
    this.options.releaseSlot();
    this.subscription?.close();
    this.stopWatchingPresence?.();
    this.options.device?.release();
    if (!this.counted) return;
    const { sessions, subscriptionCounts, metrics } = this.deps;
    sessions.remove(this);
    subscriptionCounts.remove(this.options.specs.map(specName));
    metrics.connections.dec({ transport: 'sse' });
  }

  /** Sends the headers and what waited for them; from now on it counts as an open session. */
  open(headers: Record<string, string>, first: string): void {
    if (this.closed) return;
    const { sessions, subscriptionCounts, metrics } = this.deps;
    this.counted = true;
    sessions.add(this);
    subscriptionCounts.add(this.options.specs.map(specName));
    metrics.connections.inc({ transport: 'sse' });
    const held = this.held ?? [];
    this.held = undefined;
    this.check(this.stream.open(headers, first));
    for (const chunk of held) this.send(chunk);
    if (this.options.deviceId && this.heldEvents) this.deps.devices.delivered(this.heldEvents, this.options.deviceId);
    this.heldEvents = undefined;
    if (this.endOnOpen) this.stream.end();
  }

  events(batch: EventBatch, from: Subscription): void {
    const { uniform, deviceId } = this.options;
    if (from.sharesCursors) for (const chunk of sseBatchFrames(batch, uniform)) this.send(chunk);
    else {
      for (const event of batch.events) {
        this.send(`id: ${from.cursorAfter(event)}\n`);
        this.send(sseFrameTail(event, uniform));
      }
    }
    this.deps.metrics.deliveries.sse += batch.events.length;
    if (deviceId) this.written(batch.events);
  }

  /** No `id:` line: the browser's Last-Event-ID stays where the stream is. */
  redeliver(event: LoggedEvent): void {
    this.send(encodeSseEvent({ event: this.options.uniform ? 'message' : event.event, data: redeliveryEnvelope(event) }));
    this.deps.metrics.redeliveredTotal.inc({ transport: 'sse' });
    if (this.options.deviceId) this.written([event]);
  }

  presenceChanged(change: PresenceChange): void {
    const { channel, device, node, action, reason } = change;
    this.send(encodeSseEvent({ event: 'presence', data: JSON.stringify({ channel, device, node, action, ...(reason ? { reason } : {}) }) }));
  }

  reset(gap: LogGap): void {
    this.deps.metrics.resetsTotal.inc({ reason: gap.reason });
    const { channel, lostFrom, lostTo, reason } = gap;
    this.send(encodeSseEvent({ event: 'reset', data: JSON.stringify({ channel, lostFrom, lostTo, reason }) }));
  }

  congestion(): Promise<void> | null {
    return this.stream.writable();
  }

  failed(error: unknown): void {
    if (isTidingsError(error) && error.status < 500) {
      // The request asked for more than it may (too many channels): say why before ending.
      const why = encodeSseEvent({ event: 'error', data: JSON.stringify(errorBody(error.code, error.message).error) });
      if (this.held) {
        this.held.push(why);
        this.endOnOpen = true;
      } else {
        this.stream.end(why);
      }
      return;
    }
    this.deps.logger.warn({ err: error }, 'sse subscription failed; client will resume');
    this.stream.end(encodeSseRetry(this.deps.config.sse.retryMs));
  }

  heartbeat(): void {
    this.send(HEARTBEAT);
  }

  expire(): void {
    this.subscription?.close();
    this.stream.end(TOKEN_EXPIRED);
  }

  closeForShutdown(retryMs: number): void {
    this.subscription?.close();
    this.stream.end(encodeSseRetry(retryMs));
  }

  /** The device's position moves only once the events have gone to the socket, not while held. */
  private written(events: readonly LoggedEvent[]): void {
    if (this.held) (this.heldEvents ??= []).push(...events);
    else this.deps.devices.delivered(events, this.options.deviceId!);
  }

  private send(chunk: Chunk): void {
    if (this.held) this.held.push(chunk);
    else this.check(this.stream.write(chunk));
  }

  private check(outcome: WriteOutcome): void {
    if (outcome !== 'dropped' || this.stream.isClosed) return;
    // Its buffer is full: drop the connection; the browser reconnects with Last-Event-ID and
    // resumes from the log, without holding this node's memory meanwhile.
    this.deps.metrics.slowConsumerDisconnectsTotal.inc({ transport: 'sse' });
    this.stream.abort();
  }
}

function specName(spec: SubscriptionSpec): string {
  return spec.kind === 'channel' ? spec.channel : spec.pattern;
}
