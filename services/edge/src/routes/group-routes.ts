import type { Claim, ClaimedEvent, GroupAckOutcome, GroupInfo, GroupSettings } from '@tidings/core';
import {
  type ClaimRequest,
  GROUP_DEFAULT_MAX_DELIVERIES,
  GROUP_DEFAULT_VISIBILITY_SECONDS,
  type GroupSettingsRequest,
  parseChannel,
  parseClaimBody,
  parseEventIdsBody,
  parseGroupName,
  parseGroupSettingsBody,
  type StreamId,
  TidingsError,
} from '@tidings/protocol';
import type { HttpExchange } from '@tidings/transport-uws';
import { authenticatedBody, grantOf, requireConsume } from '../auth/auth.js';
import type { EdgeContext } from '../context.js';
import { envelopeOf } from '../sessions/event-frames.js';
import { corsHeaders } from './cors.js';
import { sendError } from './http-errors.js';

/** A waiting claim looks again this often even without news: events whose visibility ran out. */
const RECHECK_MS = 1000;

/** PUT /v1/channels/{channel}/groups/{group} `{ start?, visibilitySeconds?, maxDeliveries? }` — creates, or updates settings. */
export async function handleGroupPut(ctx: EdgeContext, exchange: HttpExchange, rawChannel: string, rawGroup: string): Promise<void> {
  try {
    const { grant, bytes } = await authenticatedBody(ctx, exchange);
    const { channel, group } = target(rawChannel, rawGroup);
    requireConsume(grant, channel);
    const request = parseGroupSettingsBody(bytes, { maxJsonDepth: ctx.config.limits.maxJsonDepth });
    const known = await ctx.groups.info(channel, group);
    const created = await ctx.groups.put(channel, group, request.start ?? 'new', settingsOf(request, known));
    const info = await ctx.groups.info(channel, group);
    exchange.json(created ? 201 : 200, { ...describe(info!), created }, corsHeaders(ctx, exchange));
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}

/** GET /v1/channels/{channel}/groups/{group} */
export async function handleGroupGet(ctx: EdgeContext, exchange: HttpExchange, rawChannel: string, rawGroup: string): Promise<void> {
  try {
    const { channel, group } = target(rawChannel, rawGroup);
    requireConsume(await grantOf(ctx, exchange), channel);
    const info = await ctx.groups.info(channel, group);
    if (!info) throw notFound(channel, group);
    exchange.json(200, describe(info), corsHeaders(ctx, exchange));
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}

/** GET /v1/channels/{channel}/groups */
export async function handleGroupList(ctx: EdgeContext, exchange: HttpExchange, rawChannel: string): Promise<void> {
  try {
    const channel = parseChannel(rawChannel);
    requireConsume(await grantOf(ctx, exchange), channel);
    exchange.json(200, { channel, groups: (await ctx.groups.list(channel)).map(describe) }, corsHeaders(ctx, exchange));
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}

/** DELETE /v1/channels/{channel}/groups/{group} — with its pending events and dead letters. */
export async function handleGroupDelete(ctx: EdgeContext, exchange: HttpExchange, rawChannel: string, rawGroup: string): Promise<void> {
  try {
    const { channel, group } = target(rawChannel, rawGroup);
    requireConsume(await grantOf(ctx, exchange), channel);
    if (!(await ctx.groups.remove(channel, group))) throw notFound(channel, group);
    exchange.json(200, { channel, group, deleted: true }, corsHeaders(ctx, exchange));
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}

/**
 * POST …/groups/{group}/claim `{ consumer, count?, wait? }` — events for one consumer: at once
 * when there are any, else as soon as one arrives, or after `wait` seconds with none.
 */
export async function handleClaim(ctx: EdgeContext, exchange: HttpExchange, rawChannel: string, rawGroup: string): Promise<void> {
  try {
    const { grant, bytes } = await authenticatedBody(ctx, exchange);
    const { channel, group } = target(rawChannel, rawGroup);
    requireConsume(grant, channel);
    const request = parseClaimBody(bytes, { maxJsonDepth: ctx.config.limits.maxJsonDepth });
    const claim = await claimWaiting(ctx, channel, group, request, () => exchange.aborted || ctx.isDraining());
    exchange.respond(200, claimBody(claim), { 'content-type': 'application/json', 'cache-control': 'no-store', ...corsHeaders(ctx, exchange) });
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}

/** POST …/groups/{group}/acks `{ ids }` (or …/nacks: give them back at once) — an outcome per id. */
export async function handleGroupSettle(ctx: EdgeContext, exchange: HttpExchange, rawChannel: string, rawGroup: string, how: 'ack' | 'nack'): Promise<void> {
  try {
    const { grant, bytes } = await authenticatedBody(ctx, exchange);
    const { channel, group } = target(rawChannel, rawGroup);
    requireConsume(grant, channel);
    const ids = parseEventIdsBody(bytes, { maxJsonDepth: ctx.config.limits.maxJsonDepth });
    const outcomes = await settle(ctx, channel, group, ids, how);
    exchange.json(200, { channel, group, results: Object.fromEntries(ids.map((id, i) => [id, outcomes[i]])) }, corsHeaders(ctx, exchange));
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}

/** Claims, waiting (in steps, woken by the channel's live feed) while there is nothing and time is left. */
export async function claimWaiting(ctx: EdgeContext, channel: string, group: string, request: ClaimRequest, gone: () => boolean): Promise<Claim> {
  const deadline = Date.now() + request.wait * 1000;
  for (;;) {
    const claim = await ctx.groups.claim(channel, group, request.consumer, request.count);
    const left = deadline - Date.now();
    if (claim.events.length > 0 || claim.resets.length > 0 || claim.dead.length > 0 || left <= 0 || gone()) {
      countClaim(ctx, claim);
      return claim;
    }
    await ctx.claimWaiters.wait(channel, Math.min(left, RECHECK_MS));
  }
}

export async function settle(ctx: EdgeContext, channel: string, group: string, ids: readonly StreamId[], how: 'ack' | 'nack'): Promise<GroupAckOutcome[]> {
  const outcomes = how === 'ack' ? await ctx.groups.ack(channel, group, ids) : await ctx.groups.nack(channel, group, ids);
  const done = outcomes.filter((o) => o === 'acked').length;
  if (how === 'ack') ctx.metrics.groupAckedTotal.inc(done);
  else ctx.metrics.groupNackedTotal.inc(done);
  return outcomes;
}

/** `{ "events": [{ id, event, data, deliveries, ... }], "resets": [...], "dead": [...] }`, the stored data spliced in. */
export function claimBody(claim: Claim): string {
  return `{"events":[${claim.events.map(withDeliveries).join(',')}],"resets":${JSON.stringify(claim.resets)},"dead":[${claim.dead.map(withDeliveries).join(',')}]}`;
}

function withDeliveries(event: ClaimedEvent): string {
  return `${envelopeOf(event).slice(0, -1)},"deliveries":${event.deliveries}}`;
}

export function describe(info: GroupInfo) {
  const { channel, group, visibilityMs, maxDeliveries, consumers, pending, lag, lastDeliveredId, dead } = info;
  return { channel, group, visibilitySeconds: visibilityMs / 1000, maxDeliveries, consumers, pending, lag, lastDeliveredId, dead };
}

/** The settings a PUT asks for, the group's current ones where it names none, else the defaults. */
function settingsOf(request: GroupSettingsRequest, known: GroupInfo | undefined): GroupSettings {
  return {
    visibilityMs: (request.visibilitySeconds ?? (known ? known.visibilityMs / 1000 : GROUP_DEFAULT_VISIBILITY_SECONDS)) * 1000,
    maxDeliveries: request.maxDeliveries ?? known?.maxDeliveries ?? GROUP_DEFAULT_MAX_DELIVERIES,
  };
}

function countClaim(ctx: EdgeContext, claim: Claim): void {
  const { metrics } = ctx;
  metrics.groupClaimedTotal.inc(claim.events.length);
  metrics.groupRedeliveredTotal.inc(claim.events.filter((e) => e.deliveries > 1).length);
  metrics.groupDeadLettersTotal.inc(claim.dead.length);
  metrics.groupResetsTotal.inc(claim.resets.length);
}

function target(rawChannel: string, rawGroup: string): { channel: string; group: string } {
  return { channel: parseChannel(rawChannel), group: parseGroupName(decodeURIComponentSafe(rawGroup)) };
}

function decodeURIComponentSafe(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new TidingsError('TIDINGS_GROUP_INVALID', 'the group name is not valid percent-encoding');
  }
}

function notFound(channel: string, group: string): TidingsError {
  return new TidingsError('TIDINGS_GROUP_NOT_FOUND', `${channel} has no consumer group ${group}`);
}
