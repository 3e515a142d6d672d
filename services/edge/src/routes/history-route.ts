import { expandSince, isStreamId, parseChannel, TidingsError, ZERO_ID } from '@tidings/protocol';
import type { HttpExchange } from '@tidings/transport-uws';
import type { EdgeContext } from '../context.js';
import { grantOf, requireSubscribe } from '../auth/auth.js';
import { corsHeaders } from './cors.js';
import { sendError } from './http-errors.js';
import { envelopeOf } from '../sessions/event-frames.js';

const DEFAULT_LIMIT = 100;

/** GET /v1/channels/{channel}/events?since=ID&limit=N — a page of the log, oldest first. */
export async function handleHistory(ctx: EdgeContext, exchange: HttpExchange, rawChannel: string): Promise<void> {
  try {
    const channel = parseChannel(rawChannel);
    requireSubscribe(await grantOf(ctx, exchange), [{ kind: 'channel', channel }]);
    const since = expandSince(exchange.query.get('since') ?? ZERO_ID);
    if (!isStreamId(since)) throw new TidingsError('TIDINGS_QUERY_INVALID', 'since must be 0 (the oldest retained event) or an event id such as 1700000000000-0');
    const limit = parseLimit(exchange.query.get('limit'), ctx.config.limits.maxHistoryLimit);
    const page = await ctx.log.readAfter(channel, since, limit);
    const last = page.events.at(-1);
    const next = page.events.length === limit && last ? `,"next":"${last.id}"` : '';
    const gap = page.gap ? `,"reset":${JSON.stringify(page.gap)}` : '';
    exchange.respond(200, `{"events":[${page.events.map(envelopeOf).join(',')}]${next}${gap}}`, {
      'content-type': 'application/json',
      ...corsHeaders(ctx, exchange),
    });
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}

function parseLimit(value: string | null, max: number): number {
  if (value === null) return Math.min(DEFAULT_LIMIT, max);
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > max) throw new TidingsError('TIDINGS_QUERY_INVALID', `limit must be a whole number from 1 to ${max}`);
  return limit;
}
