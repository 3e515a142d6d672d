import { TidingsError } from '@tidings/protocol';
import type { HttpExchange } from '@tidings/transport-uws';
import { tokenOf } from '../auth/auth.js';
import type { EdgeContext } from '../context.js';
import { corsHeaders } from './cors.js';
import { sendError } from './http-errors.js';
import { describe } from './group-routes.js';

export function requireAdmin(ctx: EdgeContext, exchange: HttpExchange): void {
  ctx.auth.requireAdmin(tokenOf(exchange.headers['authorization'], exchange.query));
}

/** GET /v1/admin/nodes — every edge that reported, alive or not (a crashed one until pruned). */
export async function handleNodes(ctx: EdgeContext, exchange: HttpExchange): Promise<void> {
  try {
    requireAdmin(ctx, exchange);
    exchange.json(200, { nodes: await ctx.nodes.nodes() }, corsHeaders(ctx, exchange));
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}

/** GET /v1/admin/connections — connections and subscriptions per channel, summed over live nodes. */
export async function handleConnections(ctx: EdgeContext, exchange: HttpExchange): Promise<void> {
  try {
    requireAdmin(ctx, exchange);
    const live = (await ctx.nodes.nodes()).filter((n) => n.alive);
    const transports = { sse: 0, ws: 0, mqtt: 0 };
    const channels: Record<string, number> = {};
    for (const node of live) {
      transports.sse += node.connections.sse;
      transports.ws += node.connections.ws;
      transports.mqtt += node.connections.mqtt ?? 0;
      for (const [spec, count] of Object.entries(node.subscriptions)) channels[spec] = (channels[spec] ?? 0) + count;
    }
    exchange.json(200, { total: transports.sse + transports.ws + transports.mqtt, transports, nodes: live.length, channels }, corsHeaders(ctx, exchange));
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}

/** Groups listed by the admin API at most (the busiest deployments page through channels instead). */
const ADMIN_GROUPS_LIMIT = 1000;

/** GET /v1/admin/groups — every consumer group (up to a thousand), as each channel describes it. */
export async function handleGroups(ctx: EdgeContext, exchange: HttpExchange): Promise<void> {
  try {
    requireAdmin(ctx, exchange);
    const all = await ctx.groups.all(ADMIN_GROUPS_LIMIT);
    const infos = await Promise.all(all.map(({ channel, group }) => ctx.groups.info(channel, group)));
    exchange.json(200, { groups: infos.flatMap((info) => (info ? [describe(info)] : [])), truncated: all.length === ADMIN_GROUPS_LIMIT }, corsHeaders(ctx, exchange));
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}

const CHANNELS_DEFAULT_LIMIT = 200;
const CHANNELS_MAX_LIMIT = 1000;

/**
 * GET /v1/admin/channels?limit= — channels holding events, by name, from the directory the edges
 * keep for wildcard subscriptions (a channel leaves it once pruning emptied it).
 */
export async function handleChannels(ctx: EdgeContext, exchange: HttpExchange): Promise<void> {
  try {
    requireAdmin(ctx, exchange);
    const raw = exchange.query.get('limit');
    const limit = raw === null ? CHANNELS_DEFAULT_LIMIT : /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
    if (!(limit >= 1 && limit <= CHANNELS_MAX_LIMIT)) throw new TidingsError('TIDINGS_QUERY_INVALID', `limit must be a whole number from 1 to ${CHANNELS_MAX_LIMIT}`);
    const all = (await ctx.log.channelsActiveSince(0)).sort();
    exchange.json(200, { channels: all.slice(0, limit), truncated: all.length > limit }, corsHeaders(ctx, exchange));
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}

/** POST /v1/admin/console-token — what the web console tails and publishes with (see SECURITY.md). */
export async function handleConsoleToken(ctx: EdgeContext, exchange: HttpExchange): Promise<void> {
  try {
    const minted = await ctx.auth.mintConsoleToken(tokenOf(exchange.headers['authorization'], exchange.query));
    // No admin token configured: this node is anonymous, and so is the console.
    const body = minted ?? { token: null, expiresAt: null, expiresIn: null };
    exchange.json(200, body, { ...corsHeaders(ctx, exchange), 'cache-control': 'no-store' });
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}
