import { Subscription } from '@tidings/core';
import { TidingsError } from '@tidings/protocol';
import type { HttpExchange } from '@tidings/transport-uws';
import type { EdgeContext } from '../context.js';
import { deviceFor, grantOf, requireSubscribe } from '../auth/auth.js';
import { corsHeaders } from './cors.js';
import { sendError } from './http-errors.js';
import type { DeviceSession } from '../node/device-tracker.js';
import { envelopeOf, redeliveryEnvelope } from '../sessions/event-frames.js';
import { PollSink } from '../sessions/poll-sink.js';
import { exactChannels, parseDeviceParam, parseResumePoint, parseSpecs, patternsOf, resumePoint } from './subscribe-request.js';

const DEFAULT_TIMEOUT_SECONDS = 25;

/**
 * GET /v1/poll?channel=...&since=CURSOR&timeout=25 — the same subscription machinery as SSE,
 * held for one answer: at once when events exist, else when the first arrives or the timeout ends.
 */
export async function handlePoll(ctx: EdgeContext, exchange: HttpExchange): Promise<void> {
  let subscription: Subscription | undefined;
  let timer: NodeJS.Timeout | undefined;
  let device: DeviceSession | undefined;
  // A waiting poll counts as an open connection, from its subscription to its answer or abort.
  let open = false;
  const closed = () => {
    if (open) ctx.metrics.connections.dec({ transport: 'poll' });
    open = false;
  };
  try {
    const grant = await grantOf(ctx, exchange);
    const specs = parseSpecs(exchange.query.getAll('channel'), ctx.config.limits.maxChannelsPerConnection);
    requireSubscribe(grant, specs);
    const timeoutSeconds = parseTimeout(exchange.query.get('timeout'), ctx.config.limits.pollMaxTimeoutSeconds);
    const deviceId = deviceFor(grant, parseDeviceParam(exchange.query.get('device')));
    const clientCursor = parseResumePoint(exchange.query.get('since') ?? undefined, specs);
    device = deviceId ? await ctx.devices.join(deviceId, exactChannels(specs), patternsOf(specs)) : undefined;
    const sink = new PollSink(ctx.config.limits.maxHistoryLimit, () => answer());
    if (device) {
      device.attach(sink);
      exchange.onAbort(device.release);
    }
    const { cursor, lapses } = resumePoint(clientCursor, device);
    subscription = new Subscription({ hub: ctx.hub, log: ctx.log, specs, cursor, lapses, sink, maxChannels: ctx.config.limits.maxTrackedChannels });
    ctx.metrics.connections.inc({ transport: 'poll' });
    open = true;
    const answer = () => {
      if (!subscription || exchange.finished) return;
      clearTimeout(timer);
      const envelopes = [...sink.collected.map((e) => envelopeOf(e)), ...sink.redelivered.map(redeliveryEnvelope)];
      const body = `{"events":[${envelopes.join(',')}],"resets":${JSON.stringify(sink.resets)},"cursor":"${subscription.cursor()}"}`;
      const positions = subscription.positions();
      subscription.close();
      closed();
      ctx.metrics.deliveries.poll += sink.collected.length;
      for (const gap of sink.resets) ctx.metrics.resetsTotal.inc({ reason: gap.reason });
      ctx.metrics.redeliveredTotal.inc({ transport: 'poll' }, sink.redelivered.length);
      exchange.respond(200, body, { 'content-type': 'application/json', 'cache-control': 'no-store', ...corsHeaders(ctx, exchange) });
      if (device && deviceId) {
        // Written now: the device's positions move, and are saved as it leaves.
        ctx.devices.delivered([...sink.collected, ...sink.redelivered], deviceId);
        device.followPatterns(() => positions);
        device.release();
      }
    };
    exchange.onAbort(() => {
      clearTimeout(timer);
      subscription?.close();
      closed();
    });
    sink.onFailure = (error) => {
      subscription?.close();
      closed();
      clearTimeout(timer);
      device?.release();
      sendError(ctx, exchange, error);
    };
    await subscription.start();
    sink.subscriptionStarted();
    // The timeout counts from when what the log already holds has been read: `timeout=0` still
    // answers with the events that exist.
    await subscription.caughtUp();
    if (exchange.finished) return;
    timer = setTimeout(answer, timeoutSeconds * 1000);
  } catch (error) {
    clearTimeout(timer);
    subscription?.close();
    closed();
    device?.release();
    sendError(ctx, exchange, error);
  }
}

function parseTimeout(value: string | null, max: number): number {
  if (value === null) return Math.min(DEFAULT_TIMEOUT_SECONDS, max);
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds < 0 || seconds > max) {
    throw new TidingsError('TIDINGS_QUERY_INVALID', `timeout must be whole seconds from 0 to ${max}`);
  }
  return seconds;
}
