import type { HttpExchange } from '@tidings/transport-uws';
import type { EdgeContext } from './context.js';

const ALLOWED_HEADERS = 'content-type, authorization, last-event-id';

/** CORS headers for a response, from the configured origin allow-list ('*' allows any). */
export function corsHeaders(ctx: EdgeContext, exchange: HttpExchange): Record<string, string> {
  const origin = exchange.headers['origin'];
  const allowed = ctx.config.cors.origins;
  if (allowed.includes('*')) return { 'access-control-allow-origin': '*' };
  if (origin && allowed.includes(origin)) return { 'access-control-allow-origin': origin, vary: 'origin' };
  return {};
}

/** Answers a preflight request. */
export function preflight(ctx: EdgeContext, exchange: HttpExchange): void {
  exchange.respond(204, '', {
    ...corsHeaders(ctx, exchange),
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': ALLOWED_HEADERS,
    'access-control-max-age': '600',
  });
}
