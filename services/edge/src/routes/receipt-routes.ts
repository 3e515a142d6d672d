import { parseChannel, parseReceiptBody, parseStreamId, TidingsError } from '@tidings/protocol';
import { mayPublish } from '@tidings/auth';
import type { HttpExchange } from '@tidings/transport-uws';
import type { EdgeContext } from '../context.js';
import { authenticatedBody, deviceFor, grantOf } from '../auth/auth.js';
import { corsHeaders } from './cors.js';
import { sendError } from './http-errors.js';

const DEFAULT_PAGE = 100;

/** POST /v1/channels/{channel}/events/{id}/receipts — a device's receipt; repeats change nothing. */
export async function handleReceipt(ctx: EdgeContext, exchange: HttpExchange, rawChannel: string, rawId: string): Promise<void> {
  try {
    const { grant, bytes } = await authenticatedBody(ctx, exchange);
    const channel = parseChannel(rawChannel);
    const id = parseStreamId(rawId);
    const { device, status, detail } = parseReceiptBody(bytes, { maxJsonDepth: ctx.config.limits.maxJsonDepth });
    deviceFor(grant, device); // a device answers for itself only
    const { result, receipt } = await ctx.receipts.record(channel, id, device, status, detail);
    ctx.metrics.receiptsTotal.inc({ status, transport: 'http' });
    exchange.json(200, { channel, id, result, receipt }, corsHeaders(ctx, exchange));
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}

/** GET …/receipts?limit=&after= — every expected device's state, a page at a time. */
export async function handleReceiptList(ctx: EdgeContext, exchange: HttpExchange, rawChannel: string, rawId: string): Promise<void> {
  try {
    const channel = parseChannel(rawChannel);
    const id = parseStreamId(rawId);
    // Receipts tell who got what: the publisher's business, not every subscriber's.
    if (!mayPublish(await grantOf(ctx, exchange), channel)) throw new TidingsError('TIDINGS_RECEIPTS_FORBIDDEN', `these credentials may not read receipts on ${channel}`);
    const limitParam = exchange.query.get('limit');
    const limit = limitParam === null ? DEFAULT_PAGE : /^\d{1,6}$/.test(limitParam) ? Number(limitParam) : NaN;
    if (!Number.isInteger(limit) || limit < 1 || limit > ctx.config.limits.maxHistoryLimit) {
      throw new TidingsError('TIDINGS_QUERY_INVALID', `limit must be a whole number from 1 to ${ctx.config.limits.maxHistoryLimit}`);
    }
    const after = exchange.query.get('after') ?? undefined;
    if (after !== undefined && !/^\d{1,20}:\d{1,9}$/.test(after)) throw new TidingsError('TIDINGS_QUERY_INVALID', 'after must be the next value of a previous page');
    const page = await ctx.receipts.list(channel, id, { limit, ...(after === undefined ? {} : { after }) });
    if (!page) throw new TidingsError('TIDINGS_NOT_FOUND', `no event ${id} on ${channel} expects receipts (unknown, expired, or published without ack)`);
    const counts: Record<string, number> = {};
    for (const receipt of page.devices) counts[receipt.state] = (counts[receipt.state] ?? 0) + 1;
    exchange.json(200, { channel, id, ...page, states: counts }, corsHeaders(ctx, exchange));
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}
