import { type LogGap, type LoggedEvent, type PresenceChange, Subscription, type SubscriptionSink } from '@tidings/core';
import {
  type ClientFrame,
  CLOSE,
  encodeEventFrame,
  encodeRedeliveryFrame,
  encodeServerFrame,
  errorBody,
  isTidingsError,
  parseClientFrame,
  parseSubscription,
  type ServerFrame,
  TidingsError,
} from '@tidings/protocol';
import type { Grant } from '@tidings/auth';
import { type HttpResponse, statusLine, type TemplatedApp, type WebSocket } from '@tidings/transport-uws';
import { deviceFor, requirePublish, requireSubscribe, spendPublishBudget, tokenOf } from '../auth/auth.js';
import type { EdgeContext } from '../context.js';
import { clientAddress } from './client-address.js';
import { originAllowed } from './cors.js';
import type { RedeliveryTarget } from '../node/device-tracker.js';
import type { PresenceListener } from '../node/presence-watchers.js';
import { toTidingsError } from './http-errors.js';
import { publishEvent } from './publish-routes.js';
import type { Session } from '../sessions/session-registry.js';
import { exactChannels, parseDeviceParam, parseResumePoint, patternsOf, resumePoint } from './subscribe-request.js';

/** Per-connection state, kept in uWS user data (never as properties stuck on the socket). */
export interface WsState {
  /** What the connection may do; undefined until its first frame, `auth`, gives a token. */
  grant: Grant | undefined;
  /** Closes a connection that never authenticates. */
  authTimer: NodeJS.Timeout | undefined;
  /** Its places under the connection limits, given back on close. */
  readonly slots: (() => void)[];
  readonly subscriptions: Map<string, Subscription>;
  /** The device this connection speaks for (`?device=` or a subscribe frame's `device`). */
  device: string | undefined;
  /** What each subscription holds (the device's membership, a presence watch), released when it ends. */
  readonly releases: Map<string, () => void>;
  closed: boolean;
  protocolErrors: number;
  /** Frames received and not yet handled (count and text length), and the end of their chain. */
  queued: number;
  queuedBytes: number;
  done: Promise<void>;
  drainWaiters: (() => void)[];
  session: Session | undefined;
}

/** Invalid frames tolerated per connection before it is closed as misbehaving. */
const MAX_PROTOCOL_ERRORS = 20;
/** Frames one connection may have waiting to be handled (their text is also capped, at limits.slowConsumerBytes). */
const MAX_QUEUED_FRAMES = 1024;

export function registerWebSocketRoute(ctx: EdgeContext, app: TemplatedApp): void {
  const { config, metrics } = ctx;
  app.ws<WsState>('/v1/ws', {
    // uWS drops a frame over its own limit without a close frame; up to twice the configured
    // limit we read it and close with 1009 and a reason instead.
    maxPayloadLength: config.limits.maxFrameBytes * 2,
    // Our cap is checked after every send (sendText); uWS' own limit sits above it so that the
    // 4001 close frame still fits behind a full buffer and the client learns why.
    maxBackpressure: config.limits.slowConsumerBytes + 2 * config.limits.maxBodyBytes + 4096,
    idleTimeout: config.limits.wsIdleSeconds,
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => {
      if (ctx.isDraining()) return refuseUpgrade(res, new TidingsError('TIDINGS_UNAVAILABLE', 'node is shutting down'));
      // Everything from req must be read now: it is gone once this function returns.
      const origin = req.getHeader('origin');
      const authorization = req.getHeader('authorization');
      const query = new URLSearchParams(req.getQuery() ?? '');
      const address = clientAddress(Buffer.from(res.getRemoteAddressAsText()).toString(), req.getHeader('x-forwarded-for'), config.limits.trustedProxies);
      const handshake = [req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions')] as const;
      let aborted = false;
      res.onAborted(() => (aborted = true));
      void (async () => {
        let state: WsState;
        try {
          if (!originAllowed(ctx, origin)) throw new TidingsError('TIDINGS_ORIGIN_FORBIDDEN', `origin ${origin} may not open WebSockets here`);
          const requested = parseDeviceParam(query.get('device'));
          const token = tokenOf(authorization, query);
          // Without a token in the handshake the first frame must be `auth` (unless anonymous).
          const grant = token !== undefined || ctx.auth.acceptsAnonymous ? await ctx.auth.grant(token) : undefined;
          const device = grant ? deviceFor(grant, requested) : requested;
          const slot = ctx.connectionLimits.acquire(grant?.principal, address);
          state = {
            slots: [slot],
            grant,
            authTimer: undefined,
            subscriptions: new Map(),
            device,
            releases: new Map(),
            closed: false,
            protocolErrors: 0,
            queued: 0,
            queuedBytes: 0,
            done: Promise.resolve(),
            drainWaiters: [],
            session: undefined,
          };
        } catch (error) {
          if (!aborted) refuseUpgrade(res, toTidingsError(ctx, error));
          return;
        }
        if (aborted) {
          for (const release of state.slots) release();
          return;
        }
        res.cork(() => res.upgrade(state, ...handshake, context));
      })();
    },
    open: (ws) => {
      const state = ws.getUserData();
      state.session = {
        transport: 'ws',
        get expiresAt() {
          return state.grant?.expiresAt;
        },
        expire: () => {
          if (!state.closed) ws.end(CLOSE.TOKEN_EXPIRED, 'token expired: authenticate again and resume');
        },
        heartbeat: () => undefined, // uWS pings WebSockets itself, and closes those that stop answering
        closeForShutdown: () => {
          if (!state.closed) ws.end(CLOSE.GOING_AWAY, 'server shutting down');
        },
      };
      ctx.sessions.add(state.session);
      metrics.connections.inc({ transport: 'ws' });
      if (!state.grant) {
        state.authTimer = setTimeout(() => {
          if (!state.closed && !state.grant) ws.end(CLOSE.UNAUTHORIZED, 'no auth frame in time');
        }, config.auth.wsAuthSeconds * 1000);
      }
    },
    message: (ws, message, isBinary) => {
      if (isBinary) {
        ws.end(CLOSE.UNSUPPORTED_DATA, 'binary frames are not supported; send JSON text');
        return;
      }
      if (message.byteLength > config.limits.maxFrameBytes) {
        metrics.badRequestsTotal.inc({ code: 'TIDINGS_FRAME_INVALID' });
        ws.end(CLOSE.MESSAGE_TOO_BIG, `frames are limited to ${config.limits.maxFrameBytes} bytes`);
        return;
      }
      const text = Buffer.from(message).toString('utf8'); // copy: uWS reuses `message` after return
      const state = ws.getUserData();
      let frame: ClientFrame;
      try {
        frame = parseClientFrame(text, { maxJsonDepth: config.limits.maxJsonDepth });
      } catch (error) {
        refuseFrame(ctx, ws, error, refOfInvalid(text));
        return;
      }
      // Liveness is never queued behind slow work.
      if (frame.type === 'ping') return send(ctx, ws, { type: 'pong', ...refOf(frame) });
      // The rest one at a time, in order (an `auth` is done before what follows it), with a
      // bounded backlog: a client sending frames faster than they are handled is cut off.
      if (state.queued >= MAX_QUEUED_FRAMES || state.queuedBytes + text.length > config.limits.slowConsumerBytes) {
        metrics.badRequestsTotal.inc({ code: 'TIDINGS_FRAME_INVALID' });
        ws.end(CLOSE.PROTOCOL_ERRORS, 'too many frames waiting; send fewer at once');
        return;
      }
      state.queued += 1;
      state.queuedBytes += text.length;
      state.done = state.done
        .then(() => (state.closed ? undefined : onFrame(ctx, ws, frame)))
        .catch((error: unknown) => ctx.logger.warn({ err: error }, 'websocket frame handling failed'))
        .finally(() => {
          state.queued -= 1;
          state.queuedBytes -= text.length;
        });
    },
    drain: (ws) => {
      const state = ws.getUserData();
      const waiters = state.drainWaiters;
      state.drainWaiters = [];
      for (const resolve of waiters) resolve();
    },
    close: (ws) => {
      const state = ws.getUserData();
      state.closed = true;
      clearTimeout(state.authTimer);
      for (const release of state.slots) release();
      for (const subscription of state.subscriptions.values()) subscription.close();
      ctx.subscriptionCounts.remove([...state.subscriptions.keys()]);
      state.subscriptions.clear();
      for (const release of state.releases.values()) release();
      state.releases.clear();
      for (const resolve of state.drainWaiters) resolve();
      if (state.session) ctx.sessions.remove(state.session);
      metrics.connections.dec({ transport: 'ws' });
    },
  });
}

async function onFrame(ctx: EdgeContext, ws: WebSocket<WsState>, frame: Exclude<ClientFrame, { type: 'ping' }>): Promise<void> {
  const state = ws.getUserData();
  try {
    if (frame.type === 'auth') await authenticate(ctx, ws, frame);
    else if (!state.grant) throw new TidingsError('TIDINGS_UNAUTHORIZED', 'the first frame must be {"type":"auth","token":"…"}');
    else await handleFrame(ctx, ws, state.grant, frame);
  } catch (error) {
    refuseFrame(ctx, ws, error, refOf(frame));
  }
}

/** Answers a frame with an error; closes a connection without credentials, or one that keeps erring. */
function refuseFrame(ctx: EdgeContext, ws: WebSocket<WsState>, error: unknown, ref: { ref?: string | number }): void {
  const state = ws.getUserData();
  if (state.closed) return;
  const tidingsError = toTidingsError(ctx, error);
  ctx.metrics.badRequestsTotal.inc({ code: tidingsError.code });
  send(ctx, ws, { type: 'error', code: tidingsError.code, message: tidingsError.message, ...ref });
  // The error frame may have closed a full socket as a slow consumer: ending it again would throw.
  if (state.closed) return;
  // Without credentials there is nothing else to do: an expired token may come back renewed.
  if (!state.grant) ws.end(tidingsError.code === 'TIDINGS_TOKEN_EXPIRED' ? CLOSE.TOKEN_EXPIRED : CLOSE.UNAUTHORIZED, tidingsError.message.slice(0, 120));
  else if (isTidingsError(error) && error.status < 500 && ++state.protocolErrors > MAX_PROTOCOL_ERRORS) {
    ws.end(CLOSE.PROTOCOL_ERRORS, 'too many invalid frames');
  }
}

/**
 * `auth`: the first frame of a connection opened without a token, or a fresh token before the
 * current one expires (same device), so a long-lived socket never has to drop.
 */
async function authenticate(ctx: EdgeContext, ws: WebSocket<WsState>, frame: Extract<ClientFrame, { type: 'auth' }>): Promise<void> {
  const state = ws.getUserData();
  const grant = await ctx.auth.grant(frame.token);
  if (state.closed) return;
  if (state.grant && grant.device !== state.device) {
    throw new TidingsError('TIDINGS_DEVICE_FORBIDDEN', 'a fresh token must speak for the same device as the one it replaces');
  }
  const device = state.grant ? state.device : deviceFor(grant, state.device);
  if (!state.grant) state.slots.push(ctx.connectionLimits.acquire(grant.principal, undefined)); // counted by address since the upgrade
  clearTimeout(state.authTimer);
  state.grant = grant;
  state.device = device;
  send(ctx, ws, { type: 'authed', ...(device ? { device } : {}), ...(grant.expiresAt ? { expiresAt: grant.expiresAt } : {}), ...refOf(frame) });
}

async function handleFrame(ctx: EdgeContext, ws: WebSocket<WsState>, grant: Grant, frame: Exclude<ClientFrame, { type: 'auth' | 'ping' }>): Promise<void> {
  const state = ws.getUserData();
  switch (frame.type) {
    case 'subscribe': {
      if (!hasRoomFor(ctx, state, frame.channel)) throw tooManyChannels(ctx);
      if (frame.device !== undefined && state.device !== undefined && frame.device !== state.device) {
        throw new TidingsError('TIDINGS_DEVICE_INVALID', `this connection already speaks for device ${state.device}`);
      }
      const specs = [parseSubscription(frame.channel)];
      requireSubscribe(grant, specs);
      const requested = frame.device === undefined ? state.device : deviceFor(grant, frame.device);
      // Before anything changes, so a bad `since` changes nothing.
      const since = parseResumePoint(frame.since, specs);
      state.device ??= requested;
      const sink = new WsSink(ctx, ws, frame.channel);
      const device = state.device ? await ctx.devices.join(state.device, exactChannels(specs), patternsOf(specs)) : undefined;
      const { cursor, lapses } = resumePoint(since, device);
      const releases: (() => void)[] = [];
      if (device) {
        device.attach(sink);
        releases.push(device.release);
      }
      if (frame.presence) releases.push(ctx.presenceWatchers.add([frame.channel], sink));
      const release = () => releases.forEach((r) => r());
      // Frames handled during the awaits above count: a flood of subscribes all passed the first
      // check together, and the socket may have closed. Nothing awaits from here to start().
      if (state.closed || !hasRoomFor(ctx, state, frame.channel)) {
        release();
        if (state.closed) return;
        throw tooManyChannels(ctx);
      }
      const previous = state.subscriptions.get(frame.channel);
      previous?.close(); // subscribing again moves the position
      state.releases.get(frame.channel)?.();
      state.releases.set(frame.channel, release);
      const subscription = new Subscription({
        hub: ctx.hub,
        log: ctx.log,
        specs,
        cursor,
        lapses,
        sink,
        maxChannels: ctx.config.limits.maxTrackedChannels,
      });
      state.subscriptions.set(frame.channel, subscription);
      if (!previous) ctx.subscriptionCounts.add([frame.channel]);
      try {
        await subscription.start();
      } catch (error) {
        subscription.close();
        if (state.subscriptions.get(frame.channel) === subscription) {
          state.subscriptions.delete(frame.channel);
          ctx.subscriptionCounts.remove([frame.channel]);
          state.releases.delete(frame.channel);
          release();
        }
        throw error;
      }
      if (state.closed || state.subscriptions.get(frame.channel) !== subscription) return;
      sink.open({ type: 'subscribed', channel: frame.channel, cursor: subscription.cursor(), ...refOf(frame) });
      device?.followPatterns(() => subscription.positions());
      return;
    }
    case 'unsubscribe': {
      if (!dropSubscription(ctx, state, frame.channel)) throw new TidingsError('TIDINGS_NOT_SUBSCRIBED', `not subscribed to ${frame.channel}`);
      // A device that unsubscribes from a pattern no longer follows it: its place is free again.
      if (state.device && parseSubscription(frame.channel).kind === 'pattern') await ctx.devices.leavePattern(state.device, frame.channel);
      if (state.closed) return;
      send(ctx, ws, { type: 'unsubscribed', channel: frame.channel, ...refOf(frame) });
      return;
    }
    case 'publish': {
      const { channel, event, data, ack, idempotencyKey } = frame;
      requirePublish(grant, channel);
      await spendPublishBudget(ctx, grant, 1);
      const { id } = await publishEvent(ctx, channel, { event, data, ack, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) }, 'ws');
      if (!state.closed) send(ctx, ws, { type: 'published', channel, id, ...refOf(frame) });
      return;
    }
    case 'ack': {
      if (!state.device) throw new TidingsError('TIDINGS_DEVICE_INVALID', 'name the device first: /v1/ws?device=ID or "device" on subscribe');
      const { result, receipt } = await ctx.receipts.record(frame.channel, frame.id, state.device, frame.status, frame.detail);
      if (!state.closed) send(ctx, ws, { type: 'acked', channel: frame.channel, id: frame.id, state: receipt.state, result, ...refOf(frame) });
      return;
    }
  }
}

function refuseUpgrade(res: HttpResponse, error: TidingsError): void {
  res.cork(() => res.writeStatus(statusLine(error.status)).writeHeader('content-type', 'application/json').end(JSON.stringify(errorBody(error.code, error.message))));
}

/** Ends one subscription of a connection and gives back what it held; false when there was none. */
function dropSubscription(ctx: EdgeContext, state: WsState, channel: string): boolean {
  const subscription = state.subscriptions.get(channel);
  if (!subscription) return false;
  subscription.close();
  state.subscriptions.delete(channel);
  ctx.subscriptionCounts.remove([channel]);
  state.releases.get(channel)?.();
  state.releases.delete(channel);
  return true;
}

function hasRoomFor(ctx: EdgeContext, state: WsState, channel: string): boolean {
  return state.subscriptions.has(channel) || state.subscriptions.size < ctx.config.limits.maxChannelsPerConnection;
}

function tooManyChannels(ctx: EdgeContext): TidingsError {
  return new TidingsError('TIDINGS_TOO_MANY_CHANNELS', `at most ${ctx.config.limits.maxChannelsPerConnection} subscriptions per connection`);
}

function refOf(frame: ClientFrame | undefined): { ref?: string | number } {
  return frame?.ref === undefined ? {} : { ref: frame.ref };
}

/** The ref of a frame that failed validation, when it has a usable one, so the client can match the error. */
function refOfInvalid(text: string): { ref?: string | number } {
  try {
    const parsed: unknown = JSON.parse(text);
    const ref = parsed && typeof parsed === 'object' ? (parsed as { ref?: unknown }).ref : undefined;
    if ((typeof ref === 'string' && ref.length <= 64) || (typeof ref === 'number' && Number.isSafeInteger(ref))) return { ref };
  } catch {
    return {}; // not JSON at all: there is no ref to echo
  }
  return {};
}

/** Sends one frame; a socket whose buffer is full is closed with a reason and resumes elsewhere. */
function sendText(ctx: EdgeContext, ws: WebSocket<WsState>, text: string): void {
  const state = ws.getUserData();
  if (state.closed) return;
  if (ws.send(text) === 2 || ws.getBufferedAmount() > ctx.config.limits.slowConsumerBytes) {
    ctx.metrics.slowConsumerDisconnectsTotal.inc({ transport: 'ws' });
    state.closed = true;
    ws.end(CLOSE.SLOW_CONSUMER, 'slow consumer: resume from your last id');
  }
}

function send(ctx: EdgeContext, ws: WebSocket<WsState>, frame: ServerFrame): void {
  sendText(ctx, ws, encodeServerFrame(frame));
}

const exactFrames = new WeakMap<LoggedEvent, string>();

/** One subscription's events as frames; held until its `subscribed` reply has gone out. */
class WsSink implements SubscriptionSink, RedeliveryTarget, PresenceListener {
  readonly owedOnConnect = true;
  private held: string[] | undefined = [];
  /** A device's events among `held`, marked written when the subscription opens. */
  private heldEvents: LoggedEvent[] = [];
  private readonly label: string | undefined;
  private readonly delivered: { inc(): void };

  constructor(
    private readonly ctx: EdgeContext,
    private readonly ws: WebSocket<WsState>,
    private readonly subscription: string,
  ) {
    this.delivered = ctx.metrics.deliveredTotal.labels({ transport: 'ws' });
    this.label = parseSubscription(subscription).kind === 'pattern' ? subscription : undefined;
  }

  open(reply: ServerFrame): void {
    const held = this.held ?? [];
    this.held = undefined;
    send(this.ctx, this.ws, reply);
    for (const text of held) sendText(this.ctx, this.ws, text);
    for (const event of this.heldEvents) this.written(event);
    this.heldEvents = [];
  }

  event(event: LoggedEvent): void {
    this.push(this.frameOf(event));
    this.delivered.inc();
    this.written(event);
  }

  presenceChanged(change: PresenceChange): void {
    const { channel, device, node, action, reason } = change;
    this.push(encodeServerFrame({ type: 'presence', channel, device, node, action, ...(reason ? { reason } : {}) }));
  }

  redeliver(event: LoggedEvent): void {
    this.push(encodeRedeliveryFrame(event.channel, event.id, event.event, event.data));
    this.ctx.metrics.redeliveredTotal.inc({ transport: 'ws' });
    this.written(event);
  }

  /** The device's position moves only once the event has gone to the socket, not while it is held. */
  private written(event: LoggedEvent): void {
    const device = this.ws.getUserData().device;
    if (!device) return;
    if (this.held) this.heldEvents.push(event);
    else this.ctx.devices.delivered(event, device);
  }

  reset(gap: LogGap): void {
    this.ctx.metrics.resetsTotal.inc({ reason: gap.reason });
    const { channel, lostFrom, lostTo, reason } = gap;
    this.push(encodeServerFrame({ type: 'reset', channel, lostFrom, lostTo, reason, ...(this.label ? { subscription: this.label } : {}) }));
  }

  congestion(): Promise<void> | null {
    const state = this.ws.getUserData();
    if (state.closed || this.ws.getBufferedAmount() === 0) return null;
    return new Promise((resolve) => state.drainWaiters.push(resolve));
  }

  failed(error: unknown): void {
    const state = this.ws.getUserData();
    if (state.closed) return;
    if (isTidingsError(error) && error.status < 500) {
      // This subscription asked for more than it may (too many channels): it ends alone, saying why.
      dropSubscription(this.ctx, state, this.subscription);
      send(this.ctx, this.ws, { type: 'error', code: error.code, message: error.message, channel: this.subscription });
      return;
    }
    this.ctx.logger.warn({ err: error }, 'ws subscription failed; client will resume');
    this.ws.end(CLOSE.UNAVAILABLE, 'event store unreachable; resume shortly');
  }

  private frameOf(event: LoggedEvent): string {
    if (this.label !== undefined) return encodeEventFrame(event.channel, event.id, event.event, event.data, this.label, event.ack);
    let frame = exactFrames.get(event);
    if (frame === undefined) {
      frame = encodeEventFrame(event.channel, event.id, event.event, event.data, undefined, event.ack);
      exactFrames.set(event, frame);
    }
    return frame;
  }

  private push(text: string): void {
    if (this.held) this.held.push(text);
    else sendText(this.ctx, this.ws, text);
  }
}
