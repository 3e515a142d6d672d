import { Subscription } from '@tidings/core';
import { encodeSseId, encodeSseRetry, TidingsError } from '@tidings/protocol';
import { type HttpExchange, SseStream } from '@tidings/transport-uws';
import { deviceFor, grantOf, requireSubscribe } from '../auth/auth.js';
import type { EdgeContext } from '../context.js';
import type { DeviceSession } from '../node/device-tracker.js';
import { SseConnection } from '../sessions/sse-connection.js';
import { clientAddress } from './client-address.js';
import { corsHeaders, originAllowed } from './cors.js';
import { sendError } from './http-errors.js';
import { exactChannels, parseDeviceParam, parsePresenceParam, parseResumePoint, parseSpecs, patternsOf, resumePoint } from './subscribe-request.js';

/** GET /v1/sse?channel=a&channel=news/+/sport[&lastEventId=CURSOR|&since=CURSOR][&uniform=1][&device=ID] */
export async function handleSse(ctx: EdgeContext, exchange: HttpExchange): Promise<void> {
  const { config } = ctx;
  let stream: SseStream | undefined;
  let releaseSlot: (() => void) | undefined;
  let device: DeviceSession | undefined;
  try {
    const peer = exchange.remoteAddress; // now, while the response is surely still there
    if (!originAllowed(ctx, exchange.headers['origin'], exchange.headers['host'])) throw new TidingsError('TIDINGS_ORIGIN_FORBIDDEN', `origin ${exchange.headers['origin']} may not open streams here`);
    const grant = await grantOf(ctx, exchange);
    const specs = parseSpecs(exchange.query.getAll('channel'), config.limits.maxChannelsPerConnection);
    requireSubscribe(grant, specs);
    const deviceId = deviceFor(grant, parseDeviceParam(exchange.query.get('device')));
    const query = exchange.query;
    const clientCursor = parseResumePoint(exchange.headers['last-event-id'] || (query.get('lastEventId') ?? query.get('since') ?? undefined), specs);
    if (clientCursor) ctx.metrics.resumesTotal.inc({ transport: 'sse' });
    const uniform = exchange.query.get('uniform') === '1';
    const presence = parsePresenceParam(exchange.query.get('presence'));
    const address = clientAddress(peer, exchange.headers['x-forwarded-for'], config.limits.trustedProxies);
    const headers = {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      'x-tidings-node': config.nodeId,
      ...corsHeaders(ctx, exchange),
    };
    releaseSlot = ctx.connectionLimits.acquire(grant.principal, address);
    // Before the stream takes the exchange over: a device refused here still gets a JSON answer.
    device = deviceId ? await ctx.devices.join(deviceId, exactChannels(specs), patternsOf(specs)) : undefined;
    stream = new SseStream(exchange, config.limits.slowConsumerBytes, ctx.flusher);
    const connection = new SseConnection(ctx, stream, { specs, uniform, device, deviceId, expiresAt: grant.expiresAt, releaseSlot });
    stream.onClose(connection); // at once when the client already left: it gives back the slot and the device
    const { cursor, lapses } = resumePoint(clientCursor, device);
    const subscription = new Subscription({ hub: ctx.hub, log: ctx.log, specs, cursor, lapses, sink: connection, maxChannels: config.limits.maxTrackedChannels });
    connection.follow(subscription);
    if (presence) connection.watchPresence(ctx.presenceWatchers.add(exactChannels(specs), connection));
    await subscription.start();
    if (stream.isClosed) return;
    connection.open(headers, encodeSseRetry(config.sse.retryMs) + encodeSseId(subscription.cursor()));
    device?.followPatterns(() => subscription.positions());
  } catch (error) {
    if (stream) {
      // The stream has the slot and the device and gives them back as it closes.
      ctx.logger.warn({ err: error }, 'sse subscription could not start');
      stream.abort();
      return;
    }
    releaseSlot?.();
    device?.release();
    sendError(ctx, exchange, error);
  }
}
