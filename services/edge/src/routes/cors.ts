import type { HttpExchange } from '@tidings/transport-uws';
import type { EdgeContext } from '../context.js';

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
    'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
    'access-control-allow-headers': ALLOWED_HEADERS,
    'access-control-max-age': '600',
  });
}

/**
 * Whether a browser origin may open an SSE stream or a WebSocket here. Browsers send Origin on
 * both, and a WebSocket is not bound by CORS: without this check any site could open one with the
 * visitor's cookies (cross-site WebSocket hijacking). Clients that send no Origin are not browsers.
 * `host` is the request's Host header.
 */
export function originAllowed(ctx: EdgeContext, origin: string | undefined, host: string | undefined): boolean {
  const allowed = ctx.config.cors.origins;
  return origin === undefined || origin === '' || allowed.includes('*') || allowed.includes(origin) || isOwnPage(origin, host);
}

/**
 * A page this edge served itself (the demo page, the console) opens streams from the edge's own
 * origin, whatever the allow-list names: no other site can send that Origin. The scheme is not
 * compared, since a proxy in front may end TLS.
 */
function isOwnPage(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false; // not an origin at all: refused like any stranger
  }
}
