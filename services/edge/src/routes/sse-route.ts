import { type LogGap, type LoggedEvent, type PresenceChange, Subscription, type SubscriptionSink } from '@tidings/core';
import { encodeSseComment, encodeSseEvent, encodeSseId, encodeSseRetry, ERRORS, errorBody, isTidingsError, TidingsError } from '@tidings/protocol';
import { type HttpExchange, SseStream } from '@tidings/transport-uws';
import type { EdgeContext } from '../context.js';
import { deviceFor, grantOf, requireSubscribe } from '../auth/auth.js';
import { clientAddress } from './client-address.js';
import { corsHeaders, originAllowed } from './cors.js';
import { sendError } from './http-errors.js';
import type { DeviceSession, RedeliveryTarget } from '../node/device-tracker.js';
import type { PresenceListener } from '../node/presence-watchers.js';
import type { Session } from '../sessions/session-registry.js';
import {
  eventEnvelope,
  exactChannels,
  parseDeviceParam,
  parsePresenceParam,
  parseResumePoint,
  parseSpecs,
  patternsOf,
  presenceJson,
  redeliveryEnvelope,
  resumePoint,
} from './subscribe-request.js';

/** GET /v1/sse?channel=a&channel=news/+/sport[&lastEventId=CURSOR][&uniform=1][&device=ID] */
export async function handleSse(ctx: EdgeContext, exchange: HttpExchange): Promise<void> {
  const { config, metrics } = ctx;
  let subscription: Subscription;
  let stream: SseStream | undefined;
  let releaseSlot: (() => void) | undefined;
  let device: DeviceSession | undefined;
  try {
    const peer = exchange.remoteAddress; // now, while the response is surely still there
    if (!originAllowed(ctx, exchange.headers['origin'])) throw new TidingsError('TIDINGS_ORIGIN_FORBIDDEN', `origin ${exchange.headers['origin']} may not open streams here`);
    const grant = await grantOf(ctx, exchange);
    const specs = parseSpecs(exchange.query.getAll('channel'), config.limits.maxChannelsPerConnection);
    requireSubscribe(grant, specs);
    const deviceId = deviceFor(grant, parseDeviceParam(exchange.query.get('device')));
    const clientCursor = parseResumePoint(exchange.headers['last-event-id'] || (exchange.query.get('lastEventId') ?? undefined), specs);
    const uniform = exchange.query.get('uniform') === '1';
    const presence = parsePresenceParam(exchange.query.get('presence'));
    const address = clientAddress(peer, exchange.headers['x-forwarded-for'], config.limits.trustedProxies);
    releaseSlot = ctx.connectionLimits.acquire(grant.principal, address);
    // Before the stream takes the exchange over: a device refused here still gets a JSON answer.
    device = deviceId ? await ctx.devices.join(deviceId, exactChannels(specs), patternsOf(specs)) : undefined;
    stream = new SseStream(exchange, config.limits.slowConsumerBytes);
    stream.onClose(releaseSlot); // at once when the client already left
    const sink = new SseSink(ctx, stream, uniform, deviceId);
    const { cursor, lapses } = resumePoint(clientCursor, device);
    subscription = new Subscription({ hub: ctx.hub, log: ctx.log, specs, cursor, lapses, sink, maxChannels: ctx.config.limits.maxTrackedChannels });
    stream.onClose(() => subscription.close());
    if (presence) stream.onClose(ctx.presenceWatchers.add(exactChannels(specs), sink));
    if (device) {
      device.attach(sink);
      stream.onClose(device.release);
    }
    await subscription.start();
    if (stream.isClosed) return;
    const session = sink.session(subscription, grant.expiresAt);
    ctx.sessions.add(session);
    metrics.connections.inc({ transport: 'sse' });
    const specNames = exchange.query.getAll('channel');
    ctx.subscriptionCounts.add(specNames);
    stream.onClose(() => {
      ctx.sessions.remove(session);
      ctx.subscriptionCounts.remove(specNames);
      metrics.connections.dec({ transport: 'sse' });
    });
    sink.open(
      {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        'x-tidings-node': config.nodeId,
        ...corsHeaders(ctx, exchange),
      },
      encodeSseRetry(config.sse.retryMs) + encodeSseId(subscription.cursor()),
    );
    device?.followPatterns(() => subscription.positions());
  } catch (error) {
    if (!stream) {
      // Nothing has taken them over to give back when the stream closes.
      releaseSlot?.();
      device?.release();
    }
    if (!exchange.finished) sendError(ctx, exchange, error);
    else {
      ctx.logger.warn({ err: error }, 'sse subscription could not start');
      if (!exchange.aborted) exchange.res.close(); // a response whose client left must not be touched
    }
  }
}

/** Writes a subscription's events to one SSE stream; holds them until the stream has opened. */
const sharedFrames = new WeakMap<LoggedEvent, Map<string, string>>();

/**
 * The SSE frame for an event at a cursor. Subscribers of the same channel usually share the
 * cursor too (see Subscription.cursor), so the frame is built once per event, not per subscriber.
 */
function sseFrame(event: LoggedEvent, cursor: string, uniform: boolean): string {
  let frames = sharedFrames.get(event);
  if (!frames) sharedFrames.set(event, (frames = new Map()));
  const key = uniform ? `u${cursor}` : cursor;
  let frame = frames.get(key);
  if (frame === undefined) {
    frame = encodeSseEvent({ id: cursor, event: uniform ? 'message' : event.event, data: eventEnvelope(event) });
    if (frames.size < 16) frames.set(key, frame); // multi-channel cursors rarely repeat: keep a few
  }
  return frame;
}

class SseSink implements SubscriptionSink, RedeliveryTarget, PresenceListener {
  readonly owedOnConnect = true;
  private held: string[] | undefined = [];
  /** A device's events among `held`, marked written when the stream opens. */
  private heldEvents: LoggedEvent[] = [];
  /** Failed before the stream opened: it opens only to say why, then ends. */
  private endOnOpen = false;
  private readonly delivered: { inc(): void };

  constructor(
    private readonly ctx: EdgeContext,
    private readonly stream: SseStream,
    private readonly uniform: boolean,
    private readonly device: string | undefined,
  ) {
    this.delivered = ctx.metrics.deliveredTotal.labels({ transport: 'sse' });
  }

  open(headers: Record<string, string>, first: string): void {
    const held = this.held ?? [];
    this.held = undefined;
    this.check(this.stream.open(headers, first + held.join('')));
    for (const event of this.heldEvents) this.written(event);
    this.heldEvents = [];
    if (this.endOnOpen) this.stream.end();
  }

  event(event: LoggedEvent, from: Subscription): void {
    this.send(sseFrame(event, from.cursor(), this.uniform));
    this.delivered.inc();
    this.written(event);
  }

  /** No `id:` line: the browser's Last-Event-ID stays where the stream is. */
  redeliver(event: LoggedEvent): void {
    this.send(encodeSseEvent({ event: this.uniform ? 'message' : event.event, data: redeliveryEnvelope(event) }));
    this.ctx.metrics.redeliveredTotal.inc({ transport: 'sse' });
    this.written(event);
  }

  /** The device's position moves only once the event has gone to the socket, not while it is held. */
  private written(event: LoggedEvent): void {
    if (!this.device) return;
    if (this.held) this.heldEvents.push(event);
    else this.ctx.devices.delivered(event, this.device);
  }

  presenceChanged(change: PresenceChange): void {
    this.send(encodeSseEvent({ event: 'presence', data: presenceJson(change) }));
  }

  reset(gap: LogGap): void {
    this.ctx.metrics.resetsTotal.inc({ reason: gap.reason });
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
    this.ctx.logger.warn({ err: error }, 'sse subscription failed; client will resume');
    this.stream.end(encodeSseRetry(this.ctx.config.sse.retryMs));
  }

  session(subscription: Subscription, expiresAt: number | undefined): Session {
    return {
      transport: 'sse',
      expiresAt,
      expire: () => {
        subscription.close();
        this.stream.end(encodeSseEvent({ event: 'token-expired', data: JSON.stringify(errorBody('TIDINGS_TOKEN_EXPIRED', ERRORS.TIDINGS_TOKEN_EXPIRED.message).error) }));
      },
      heartbeat: () => this.send(encodeSseComment('hb')),
      closeForShutdown: (retryMs) => {
        subscription.close();
        this.stream.end(encodeSseRetry(retryMs));
      },
    };
  }

  private send(chunk: string): void {
    if (this.held) this.held.push(chunk);
    else this.check(this.stream.write(chunk));
  }

  private check(outcome: 'sent' | 'buffered' | 'dropped'): void {
    if (outcome !== 'dropped' || this.stream.isClosed) return;
    // Its buffer is full: drop the connection; the browser reconnects with Last-Event-ID and
    // resumes from the log, without holding this node's memory meanwhile.
    this.ctx.metrics.slowConsumerDisconnectsTotal.inc({ transport: 'sse' });
    this.stream.abort();
  }
}
