import { TidingsError } from '@tidings/protocol';
import { HttpExchange, type HttpRequest, type HttpResponse } from '@tidings/transport-uws';
import type { EdgeContext } from '../context.js';
import { corsHeaders, preflight } from './cors.js';
import { handleHistory } from './history-route.js';
import { sendError } from './http-errors.js';
import { handleClaim, handleGroupDelete, handleGroupGet, handleGroupList, handleGroupPut, handleGroupSettle } from './group-routes.js';
import { handlePoll } from './poll-route.js';
import { handleBatchPublish, handlePublish } from './publish-routes.js';
import { handleChannels, handleConnections, handleConsoleToken, handleGroups, handleNodes } from './admin-routes.js';
import { handleCreateKey, handleListKeys, handleRevokeKey } from './api-key-routes.js';
import { handlePresence } from './presence-route.js';
import { handleReceipt, handleReceiptList } from './receipt-routes.js';
import { handleSse } from './sse-route.js';
import { openApiJson } from '../openapi/openapi-document.js';
import type { StaticFile } from './static-files.js';

const CHANNELS = '/v1/channels/';
const ADMIN_KEYS = '/v1/admin/keys/';

/**
 * Routes every HTTP request. Channel names contain '/', so channel routes are matched from the
 * end of the path (`…/events`) rather than by uWS' one-segment parameters.
 */
export function createRouter(ctx: EdgeContext, staticFiles: ReadonlyMap<string, StaticFile>) {
  return (res: HttpResponse, req: HttpRequest): void => {
    let exchange: HttpExchange | undefined;
    try {
      exchange = new HttpExchange(res, req);
      route(ctx, exchange, staticFiles);
    } catch (error) {
      // A bug must cost one request, never the node.
      ctx.logger.error({ err: error }, 'request handler threw');
      if (exchange) sendError(ctx, exchange, new TidingsError('TIDINGS_INTERNAL'));
      else res.cork(() => res.writeStatus('500 Internal Server Error').end('{"error":{"code":"TIDINGS_INTERNAL","message":"Internal error."}}', true));
    }
  };
}

function route(ctx: EdgeContext, exchange: HttpExchange, staticFiles: ReadonlyMap<string, StaticFile>): void {
  const { method, path } = exchange;
  if (exchange.framingProblem) return dropAmbiguous(ctx, exchange);
  if (method === 'OPTIONS') return preflight(ctx, exchange);

  if (path.startsWith(CHANNELS)) return routeChannel(ctx, exchange, path.slice(CHANNELS.length));
  switch (path) {
    case '/v1/publish':
      return only(ctx, exchange, 'POST') ? void handleBatchPublish(ctx, exchange) : undefined;
    case '/v1/sse':
      return only(ctx, exchange, 'GET') ? void handleSse(ctx, exchange) : undefined;
    case '/v1/poll':
      return only(ctx, exchange, 'GET') ? void handlePoll(ctx, exchange) : undefined;
    case '/healthz':
      return exchange.json(200, { status: 'ok', node: ctx.config.nodeId }, corsHeaders(ctx, exchange));
    case '/readyz':
      return readiness(ctx, exchange);
    case '/metrics':
      if (ctx.config.metrics.publicRoute === 'off') break; // served on --metrics-port only
      return void metrics(ctx, exchange);
    case '/v1/openapi.json':
      return only(ctx, exchange, 'GET') ? exchange.respond(200, openApiJson, { 'content-type': 'application/json', ...corsHeaders(ctx, exchange) }) : undefined;
    case '/v1/admin/nodes':
      return only(ctx, exchange, 'GET') ? void handleNodes(ctx, exchange) : undefined;
    case '/v1/admin/connections':
      return only(ctx, exchange, 'GET') ? void handleConnections(ctx, exchange) : undefined;
    case '/v1/admin/groups':
      return only(ctx, exchange, 'GET') ? void handleGroups(ctx, exchange) : undefined;
    case '/v1/admin/channels':
      return only(ctx, exchange, 'GET') ? void handleChannels(ctx, exchange) : undefined;
    case '/v1/admin/console-token':
      return only(ctx, exchange, 'POST') ? void handleConsoleToken(ctx, exchange) : undefined;
    case '/v1/admin/keys':
      if (exchange.method === 'POST') return void handleCreateKey(ctx, exchange);
      return only(ctx, exchange, 'GET, POST') ? void handleListKeys(ctx, exchange) : undefined;
  }
  if (path.startsWith(ADMIN_KEYS)) {
    return only(ctx, exchange, 'DELETE') ? void handleRevokeKey(ctx, exchange, path.slice(ADMIN_KEYS.length)) : undefined;
  }
  const file = method === 'GET' ? staticFiles.get(path) : undefined;
  if (file) return exchange.respond(200, file.body, { 'content-type': file.contentType, 'cache-control': 'no-cache', ...file.headers });
  sendError(ctx, exchange, new TidingsError('TIDINGS_NOT_FOUND', `no route for ${method} ${path}`));
}

function routeChannel(ctx: EdgeContext, exchange: HttpExchange, rest: string): void {
  if (rest.endsWith('/events')) {
    const channel = decodeChannel(ctx, exchange, rest.slice(0, -'/events'.length));
    if (channel === undefined) return;
    if (exchange.method === 'POST') return void handlePublish(ctx, exchange, channel);
    if (exchange.method === 'GET') return void handleHistory(ctx, exchange, channel);
    return void only(ctx, exchange, 'GET, POST');
  }
  const receipts = /^(.+)\/events\/([^/]+)\/receipts$/.exec(rest);
  if (receipts) {
    const channel = decodeChannel(ctx, exchange, receipts[1]!);
    if (channel === undefined) return;
    if (exchange.method === 'POST') return void handleReceipt(ctx, exchange, channel, receipts[2]!);
    if (exchange.method === 'GET') return void handleReceiptList(ctx, exchange, channel, receipts[2]!);
    return void only(ctx, exchange, 'GET, POST');
  }
  const groups = /^(.+)\/groups(?:\/([^/]+)(?:\/(claim|acks|nacks))?)?$/.exec(rest);
  if (groups) return routeGroups(ctx, exchange, groups[1]!, groups[2], groups[3]);
  if (rest.endsWith('/presence')) {
    const channel = decodeChannel(ctx, exchange, rest.slice(0, -'/presence'.length));
    if (channel === undefined) return;
    return only(ctx, exchange, 'GET') ? void handlePresence(ctx, exchange, channel) : undefined;
  }
  sendError(ctx, exchange, new TidingsError('TIDINGS_NOT_FOUND', `no route for ${exchange.method} ${exchange.path}`));
}

/** …/groups, …/groups/{group}, …/groups/{group}/claim|acks|nacks */
function routeGroups(ctx: EdgeContext, exchange: HttpExchange, rawChannel: string, group: string | undefined, action: string | undefined): void {
  const channel = decodeChannel(ctx, exchange, rawChannel);
  if (channel === undefined) return;
  if (group === undefined) return only(ctx, exchange, 'GET') ? void handleGroupList(ctx, exchange, channel) : undefined;
  if (action === 'claim') return only(ctx, exchange, 'POST') ? void handleClaim(ctx, exchange, channel, group) : undefined;
  if (action === 'acks' || action === 'nacks') {
    return only(ctx, exchange, 'POST') ? void handleGroupSettle(ctx, exchange, channel, group, action === 'acks' ? 'ack' : 'nack') : undefined;
  }
  if (exchange.method === 'PUT') return void handleGroupPut(ctx, exchange, channel, group);
  if (exchange.method === 'DELETE') return void handleGroupDelete(ctx, exchange, channel, group);
  return only(ctx, exchange, 'GET, PUT, DELETE') ? void handleGroupGet(ctx, exchange, channel, group) : undefined;
}

/** Channel names may arrive percent-encoded (`news%2Fuk`); validation happens in the handler. */
function decodeChannel(ctx: EdgeContext, exchange: HttpExchange, raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    sendError(ctx, exchange, new TidingsError('TIDINGS_CHANNEL_INVALID', 'channel is not valid percent-encoding'));
    return undefined;
  }
}

function only(ctx: EdgeContext, exchange: HttpExchange, allowed: string): boolean {
  if (allowed.split(', ').includes(exchange.method)) return true;
  exchange.json(405, { error: { code: 'TIDINGS_METHOD_NOT_ALLOWED', message: `use ${allowed}` } }, { allow: allowed, ...corsHeaders(ctx, exchange) });
  ctx.metrics.badRequestsTotal.inc({ code: 'TIDINGS_METHOD_NOT_ALLOWED' });
  return false;
}

/** A request that may hide another one behind it is dropped unanswered, as uWS drops the malformed ones it catches itself. */
function dropAmbiguous(ctx: EdgeContext, exchange: HttpExchange): void {
  ctx.logger.debug({ problem: exchange.framingProblem, path: exchange.path }, 'dropped a request with ambiguous framing');
  ctx.metrics.badRequestsTotal.inc({ code: 'TIDINGS_BODY_INVALID' });
  exchange.drop();
}

function readiness(ctx: EdgeContext, exchange: HttpExchange): void {
  const body = readinessOf(ctx);
  exchange.json(body.ready ? 200 : 503, body);
}

/** False while draining or while Redis is unreachable: the load balancer sends new clients elsewhere. */
export function readinessOf(ctx: EdgeContext) {
  const draining = ctx.isDraining();
  const store = ctx.isStoreReady();
  return { ready: !draining && store, draining, store, node: ctx.config.nodeId };
}

async function metrics(ctx: EdgeContext, exchange: HttpExchange): Promise<void> {
  try {
    exchange.respond(200, await ctx.metrics.render(), { 'content-type': ctx.metrics.contentType });
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}
