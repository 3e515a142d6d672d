import { type Claim, Subscription } from '@tidings/core';
import { type ClientFrame, CLOSE, errorBody, type FrameRef, isTidingsError, parseClientFrame, parseSubscription, TidingsError } from '@tidings/protocol';
import type { Grant } from '@tidings/auth';
import { type HttpResponse, statusLine, type TemplatedApp } from '@tidings/transport-uws';
import { deviceFor, requireConsume, requirePublish, requireSubscribe, spendPublishBudget, tokenOf } from '../auth/auth.js';
import type { EdgeContext } from '../context.js';
import { WsConnection } from '../sessions/ws-connection.js';
import { WsSink } from '../sessions/ws-sink.js';
import { clientAddress } from './client-address.js';
import { originAllowed } from './cors.js';
import { toTidingsError } from './http-errors.js';
import { closeSession, openSession, socketSettings, wsOutputOf } from './socket-route.js';
import { claimBody, claimWaiting, settle } from './group-routes.js';
import { publishEvent } from './publish-routes.js';
import { exactChannels, parseDeviceParam, parseResumePoint, patternsOf, resumePoint } from './subscribe-request.js';

/** uWS copies user data property by property: the connection object rides along as one of them. */
interface WsData {
  readonly conn: WsConnection;
}

/** Invalid frames tolerated per connection before it is closed as misbehaving. */
const MAX_PROTOCOL_ERRORS = 20;
/** Frames one connection may have waiting to be handled (their text is also capped, at limits.slowConsumerBytes). */
export const MAX_QUEUED_FRAMES = 1024;
/** Claims of consumer groups one connection may have waiting for work at once. */
const MAX_CLAIMS_IN_FLIGHT = 16;

export function registerWebSocketRoute(ctx: EdgeContext, app: TemplatedApp): void {
  const { config, metrics } = ctx;
  app.ws<WsData>('/v1/ws', {
    // uWS drops a frame over its own limit without a close frame; up to twice the configured
    // limit we read it and close with 1009 and a reason instead.
    ...socketSettings(ctx, config.limits.maxFrameBytes * 2),
    upgrade: (res, req, context) => {
      if (ctx.isDraining()) return refuseUpgrade(res, new TidingsError('TIDINGS_UNAVAILABLE', 'node is shutting down'));
      // Everything from req must be read now: it is gone once this function returns.
      const origin = req.getHeader('origin');
      const host = req.getHeader('host');
      const authorization = req.getHeader('authorization');
      const query = new URLSearchParams(req.getQuery() ?? '');
      const address = clientAddress(Buffer.from(res.getRemoteAddressAsText()).toString(), req.getHeader('x-forwarded-for'), config.limits.trustedProxies);
      const handshake = [req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions')] as const;
      let aborted = false;
      res.onAborted(() => (aborted = true));
      void (async () => {
        let conn: WsConnection;
        try {
          if (!originAllowed(ctx, origin, host)) throw new TidingsError('TIDINGS_ORIGIN_FORBIDDEN', `origin ${origin} may not open WebSockets here`);
          const requested = parseDeviceParam(query.get('device'));
          const token = tokenOf(authorization, query);
          // Without a token in the handshake the first frame must be `auth` (unless anonymous).
          const grant = token !== undefined || ctx.auth.acceptsAnonymous ? await ctx.auth.grant(token) : undefined;
          const device = grant ? deviceFor(grant, requested) : requested;
          const slot = ctx.connectionLimits.acquire(grant?.principal, address);
          conn = new WsConnection(ctx, grant, device, [slot]);
        } catch (error) {
          if (!aborted) refuseUpgrade(res, toTidingsError(ctx, error));
          return;
        }
        if (aborted) return conn.releaseSlots();
        const data: WsData = { conn };
        res.cork(() => res.upgrade(data, ...handshake, context));
      })();
    },
    open: (ws) => {
      const { conn } = ws.getUserData();
      openSession(ctx, conn, wsOutputOf(ctx, conn, ws, false), () => conn.grant !== undefined, 'no auth frame in time');
    },
    message: (ws, message, isBinary) => {
      const { conn } = ws.getUserData();
      if (isBinary) {
        conn.end(CLOSE.UNSUPPORTED_DATA, 'binary frames are not supported; send JSON text');
        return;
      }
      if (message.byteLength > config.limits.maxFrameBytes) {
        metrics.badRequestsTotal.inc({ code: 'TIDINGS_FRAME_INVALID' });
        conn.end(CLOSE.MESSAGE_TOO_BIG, `frames are limited to ${config.limits.maxFrameBytes} bytes`);
        return;
      }
      const text = Buffer.from(message).toString('utf8'); // copy: uWS reuses `message` after return
      let frame: ClientFrame;
      try {
        frame = parseClientFrame(text, { maxJsonDepth: config.limits.maxJsonDepth });
      } catch (error) {
        refuseFrame(ctx, conn, error, refOfInvalid(text));
        return;
      }
      // Liveness is never queued behind slow work.
      if (frame.type === 'ping') return conn.send({ type: 'pong', ...refOf(frame) });
      // The rest one at a time, in order (an `auth` is done before what follows it), with a
      // bounded backlog: a client sending frames faster than they are handled is cut off.
      if (conn.queued >= MAX_QUEUED_FRAMES || conn.queuedBytes + text.length > config.limits.slowConsumerBytes) {
        metrics.badRequestsTotal.inc({ code: 'TIDINGS_FRAME_INVALID' });
        conn.end(CLOSE.PROTOCOL_ERRORS, 'too many frames waiting; send fewer at once');
        return;
      }
      conn.queued += 1;
      conn.queuedBytes += text.length;
      conn.done = conn.done
        .then(() => (conn.closed ? undefined : onFrame(ctx, conn, frame)))
        .catch((error: unknown) => ctx.logger.warn({ err: error }, 'websocket frame handling failed'))
        .finally(() => {
          conn.queued -= 1;
          conn.queuedBytes -= text.length;
          if (conn.queued === 0) conn.settled(); // nothing chained behind: an idle socket keeps no promise
        });
    },
    drain: (ws) => ws.getUserData().conn.drained(),
    close: (ws) => {
      closeSession(ctx, ws.getUserData().conn);
    },
  });
}

async function onFrame(ctx: EdgeContext, conn: WsConnection, frame: Exclude<ClientFrame, { type: 'ping' }>): Promise<void> {
  try {
    if (frame.type === 'auth') await authenticate(ctx, conn, frame);
    else if (!conn.grant) throw new TidingsError('TIDINGS_UNAUTHORIZED', 'the first frame must be {"type":"auth","token":"…"}');
    else await handleFrame(ctx, conn, conn.grant, frame);
  } catch (error) {
    refuseFrame(ctx, conn, error, refOf(frame));
  }
}

/** Answers a frame with an error; closes a connection without credentials, or one that keeps erring. */
function refuseFrame(ctx: EdgeContext, conn: WsConnection, error: unknown, ref: { ref?: string | number }): void {
  if (conn.closed) return;
  const tidingsError = toTidingsError(ctx, error);
  ctx.metrics.badRequestsTotal.inc({ code: tidingsError.code });
  conn.send({ type: 'error', code: tidingsError.code, message: tidingsError.message, ...ref });
  // Without credentials there is nothing else to do: an expired token may come back renewed.
  if (!conn.grant) conn.end(tidingsError.code === 'TIDINGS_TOKEN_EXPIRED' ? CLOSE.TOKEN_EXPIRED : CLOSE.UNAUTHORIZED, tidingsError.message.slice(0, 120));
  else if (isTidingsError(error) && error.status < 500 && ++conn.protocolErrors > MAX_PROTOCOL_ERRORS) {
    conn.end(CLOSE.PROTOCOL_ERRORS, 'too many invalid frames');
  }
}

/**
 * `auth`: the first frame of a connection opened without a token, or a fresh token before the
 * current one expires (same device), so a long-lived socket never has to drop.
 */
async function authenticate(ctx: EdgeContext, state: WsConnection, frame: Extract<ClientFrame, { type: 'auth' }>): Promise<void> {
  const grant = await ctx.auth.grant(frame.token);
  if (state.closed) return;
  if (state.grant && grant.device !== state.device) {
    throw new TidingsError('TIDINGS_DEVICE_FORBIDDEN', 'a fresh token must speak for the same device as the one it replaces');
  }
  const device = state.grant ? state.device : deviceFor(grant, state.device);
  if (!state.grant) state.holdSlot(ctx.connectionLimits.acquire(grant.principal, undefined)); // counted by address since the upgrade
  state.authenticated();
  state.grant = grant;
  state.device = device;
  state.send({ type: 'authed', ...(device ? { device } : {}), ...(grant.expiresAt ? { expiresAt: grant.expiresAt } : {}), ...refOf(frame) });
}

async function handleFrame(ctx: EdgeContext, state: WsConnection, grant: Grant, frame: Exclude<ClientFrame, { type: 'auth' | 'ping' }>): Promise<void> {
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
      if (since) ctx.metrics.resumesTotal.inc({ transport: 'ws' });
      state.device ??= requested;
      const device = state.device ? await ctx.devices.join(state.device, exactChannels(specs), patternsOf(specs)) : undefined;
      const sink = new WsSink(ctx, state, frame.channel, specs[0]!.kind === 'pattern' ? frame.channel : undefined, device);
      if (frame.presence) sink.watchPresence(ctx.presenceWatchers.add([frame.channel], sink));
      // Frames handled during the awaits above count: a flood of subscribes all passed the first
      // check together, and the socket may have closed. Nothing awaits from here to start().
      if (state.closed || !hasRoomFor(ctx, state, frame.channel)) {
        sink.close();
        if (state.closed) return;
        throw tooManyChannels(ctx);
      }
      const { cursor, lapses } = resumePoint(since, device);
      const subscription = new Subscription({ hub: ctx.hub, log: ctx.log, specs, cursor, lapses, sink, maxChannels: ctx.config.limits.maxTrackedChannels });
      sink.follow(subscription);
      state.replace(sink);
      try {
        await subscription.start();
      } catch (error) {
        if (!state.drop(frame.channel, sink)) sink.close();
        throw error;
      }
      if (state.closed || state.subscriptions.get(frame.channel) !== sink) return;
      sink.open({ type: 'subscribed', channel: frame.channel, cursor: subscription.cursor(), ...refOf(frame) });
      device?.followPatterns(() => subscription.positions());
      return;
    }
    case 'unsubscribe': {
      if (!state.drop(frame.channel)) throw new TidingsError('TIDINGS_NOT_SUBSCRIBED', `not subscribed to ${frame.channel}`);
      // A device that unsubscribes from a pattern no longer follows it: its place is free again.
      if (state.device && parseSubscription(frame.channel).kind === 'pattern') await ctx.devices.leavePattern(state.device, frame.channel);
      if (state.closed) return;
      state.send({ type: 'unsubscribed', channel: frame.channel, ...refOf(frame) });
      return;
    }
    case 'publish': {
      const { channel, event, data, ack, idempotencyKey } = frame;
      requirePublish(grant, channel);
      await spendPublishBudget(ctx, grant, 1);
      const { id } = await publishEvent(ctx, channel, { event, data, ack, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) }, 'ws');
      if (!state.closed) state.send({ type: 'published', channel, id, ...refOf(frame) });
      return;
    }
    case 'ack': {
      if (!state.device) throw new TidingsError('TIDINGS_DEVICE_INVALID', 'name the device first: /v1/ws?device=ID or "device" on subscribe');
      const { result, receipt } = await ctx.receipts.record(frame.channel, frame.id, state.device, frame.status, frame.detail);
      ctx.metrics.receiptsTotal.inc({ status: frame.status, transport: 'ws' });
      if (!state.closed) state.send({ type: 'acked', channel: frame.channel, id: frame.id, state: receipt.state, result, ...refOf(frame) });
      return;
    }
    case 'claim': {
      requireConsume(grant, frame.channel);
      if (state.claims >= MAX_CLAIMS_IN_FLIGHT) throw new TidingsError('TIDINGS_FRAME_INVALID', `at most ${MAX_CLAIMS_IN_FLIGHT} claims may wait at once on one connection`);
      // A claim may wait for work: it runs beside the frame queue, so acks still go through meanwhile.
      state.claims += 1;
      void claimWaiting(ctx, frame.channel, frame.group, frame, () => state.closed || ctx.isDraining())
        .then((claim) => state.sendRaw(claimedFrame(frame.channel, frame.group, claim, frame.ref)))
        .catch((error: unknown) => refuseFrame(ctx, state, error, refOf(frame)))
        .finally(() => (state.claims -= 1));
      return;
    }
    case 'groupAck':
    case 'groupNack': {
      requireConsume(grant, frame.channel);
      const outcomes = await settle(ctx, frame.channel, frame.group, frame.ids, frame.type === 'groupAck' ? 'ack' : 'nack');
      const results = Object.fromEntries(frame.ids.map((id, i) => [id, outcomes[i]!]));
      if (!state.closed) state.send({ type: 'groupAcked', channel: frame.channel, group: frame.group, results, ...refOf(frame) });
      return;
    }
  }
}

/** `claimed`: the claim's events with their stored data spliced in, as over HTTP. */
function claimedFrame(channel: string, group: string, claim: Claim, ref: FrameRef | undefined): string {
  const head = `{"type":"claimed","channel":${JSON.stringify(channel)},"group":${JSON.stringify(group)},`;
  return `${head}${claimBody(claim).slice(1, -1)}${ref === undefined ? '' : `,"ref":${JSON.stringify(ref)}`}}`;
}

export function refuseUpgrade(res: HttpResponse, error: TidingsError): void {
  res.cork(() => res.writeStatus(statusLine(error.status)).writeHeader('content-type', 'application/json').end(JSON.stringify(errorBody(error.code, error.message))));
}

function hasRoomFor(ctx: EdgeContext, state: WsConnection, channel: string): boolean {
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
