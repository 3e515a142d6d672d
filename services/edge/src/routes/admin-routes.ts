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
