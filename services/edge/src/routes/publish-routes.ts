import {
  parseBatchBody,
  parseChannel,
  parsePublishBody,
  type PublishRequest,
  type StreamId,
  TidingsError,
} from '@tidings/protocol';
import type { HttpExchange } from '@tidings/transport-uws';
import type { EdgeContext } from '../context.js';
import { authenticatedBody, requirePublish, spendPublishBudget } from '../auth/auth.js';
import { corsHeaders } from './cors.js';
import { sendError } from './http-errors.js';

export interface Published {
  readonly id: StreamId;
  readonly channel: string;
  readonly duplicate: boolean;
  /** ack events: the devices that owe a receipt. */
  readonly expected?: number;
}

/** Appends one validated event; every publish path (HTTP, batch, WebSocket) comes through here. */
export async function publishEvent(ctx: EdgeContext, channel: string, request: PublishRequest, transport: 'http' | 'ws' | 'mqtt'): Promise<Published> {
  if (ctx.isDraining()) throw new TidingsError('TIDINGS_UNAVAILABLE', 'node is shutting down; publish to another node');
  const stopTimer = ctx.metrics.publishLatency.startTimer();
  ctx.inFlight.count += 1;
  try {
    const { id, duplicate, expected } = await ctx.log.append(channel, request);
    ctx.metrics.publishedTotal.inc({ transport });
    if (expected) await handToWorker(ctx, channel, id);
    return expected === undefined ? { id, channel, duplicate } : { id, channel, duplicate, expected };
  } finally {
    ctx.inFlight.count -= 1;
    stopTimer();
  }
}

/**
 * Queues the worker's job for an ack event. The event is stored already, so a failure here is not
 * the publisher's: the worker's reconciler finds the event and queues the job itself.
 */
async function handToWorker(ctx: EdgeContext, channel: string, id: StreamId): Promise<void> {
  try {
    await ctx.scheduleReceipts(channel, id);
  } catch (error) {
    ctx.metrics.receiptJobsUnqueuedTotal.inc();
    ctx.logger.warn({ err: error, channel, id }, 'could not queue the receipts job; the worker reconciler will');
  }
}

/** POST /v1/channels/{channel}/events */
export async function handlePublish(ctx: EdgeContext, exchange: HttpExchange, rawChannel: string): Promise<void> {
  try {
    const body = await authenticatedBody(ctx, exchange);
    const channel = parseChannel(rawChannel);
    requirePublish(body.grant, channel);
    await spendPublishBudget(ctx, body.grant, 1);
    const request = parsePublishBody(body.bytes, exchange.headers['content-type'], { maxJsonDepth: ctx.config.limits.maxJsonDepth });
    const published = await publishEvent(ctx, channel, request, 'http');
    const answer = published.duplicate
      ? { id: published.id, channel, duplicate: true }
      : { id: published.id, channel, ...(published.expected === undefined ? {} : { expected: published.expected }) };
    exchange.json(published.duplicate ? 200 : 201, answer, corsHeaders(ctx, exchange));
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}

/**
 * POST /v1/publish — every item is validated before any is written. Items go to different
 * channels (and Cluster slots), so they are appended one by one, in order; if the store fails
 * midway the answer says which were written.
 */
export async function handleBatchPublish(ctx: EdgeContext, exchange: HttpExchange): Promise<void> {
  try {
    const body = await authenticatedBody(ctx, exchange);
    const items = parseBatchBody(body.bytes, { maxJsonDepth: ctx.config.limits.maxJsonDepth, maxBatch: ctx.config.limits.maxBatch });
    for (const { channel } of items) requirePublish(body.grant, channel);
    await spendPublishBudget(ctx, body.grant, items.length);
    const results: { id: StreamId; channel: string; duplicate?: true }[] = [];
    for (const { channel, ...request } of items) {
      try {
        const published = await publishEvent(ctx, channel, request, 'http');
        results.push(published.duplicate ? { id: published.id, channel, duplicate: true } : { id: published.id, channel });
      } catch (error) {
        if (results.length === 0) throw error;
        ctx.logger.error({ err: error, written: results.length }, 'batch publish stopped midway');
        exchange.json(503, { error: { code: 'TIDINGS_UNAVAILABLE', message: `stopped after ${results.length} of ${items.length} events` }, events: results }, corsHeaders(ctx, exchange));
        return;
      }
    }
    exchange.json(201, { events: results }, corsHeaders(ctx, exchange));
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}
