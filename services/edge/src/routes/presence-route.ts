import { parseChannel } from '@tidings/protocol';
import type { HttpExchange } from '@tidings/transport-uws';
import type { EdgeContext } from '../context.js';
import { grantOf, requireSubscribe } from '../auth/auth.js';
import { corsHeaders } from './cors.js';
import { sendError } from './http-errors.js';

/** GET /v1/channels/{channel}/presence — devices online, per node, cluster-wide. */
export async function handlePresence(ctx: EdgeContext, exchange: HttpExchange, rawChannel: string): Promise<void> {
  try {
    const channel = parseChannel(rawChannel);
    requireSubscribe(await grantOf(ctx, exchange), [{ kind: 'channel', channel }]);
    const entries = await ctx.presence.online(channel);
    exchange.json(200, { channel, online: new Set(entries.map((e) => e.device)).size, devices: entries }, corsHeaders(ctx, exchange));
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}
