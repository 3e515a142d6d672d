import { generateApiKey } from '@tidings/auth';
import type { StoredApiKey } from '@tidings/core';
import { parseJsonStrict, TidingsError } from '@tidings/protocol';
import { parseApiKeyGrants } from '../auth/api-key-grants.js';
import type { HttpExchange } from '@tidings/transport-uws';
import { requireAdmin } from './admin-routes.js';
import type { EdgeContext } from '../context.js';
import { corsHeaders } from './cors.js';
import { sendError } from './http-errors.js';

/** POST /v1/admin/keys `{ "name", "publish": [...], "subscribe"?: [...], "consume"?: [...] }` — the key is in this answer only. */
export async function handleCreateKey(ctx: EdgeContext, exchange: HttpExchange): Promise<void> {
  try {
    const body = await exchange.readBody(ctx.config.limits.maxBodyBytes);
    requireAdmin(ctx, exchange);
    const { name, publish, subscribe, consume } = parseApiKeyGrants(parseJsonStrict(body, { maxJsonDepth: ctx.config.limits.maxJsonDepth }));
    const made = generateApiKey();
    const stored: StoredApiKey = { id: made.id, name, secretHash: made.secretHash, publish, subscribe, consume, createdAt: Date.now() };
    await ctx.auth.apiKeys.create(stored);
    exchange.json(201, { ...describeKey(stored), key: made.key }, corsHeaders(ctx, exchange));
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}

/** GET /v1/admin/keys — every live key, never a secret (a revoked key is gone). */
export async function handleListKeys(ctx: EdgeContext, exchange: HttpExchange): Promise<void> {
  try {
    requireAdmin(ctx, exchange);
    exchange.json(200, { keys: (await ctx.auth.apiKeys.list()).map(describeKey) }, corsHeaders(ctx, exchange));
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}

/** DELETE /v1/admin/keys/{id} — revokes by deleting; every node refuses the key within the cache time. */
export async function handleRevokeKey(ctx: EdgeContext, exchange: HttpExchange, id: string): Promise<void> {
  try {
    requireAdmin(ctx, exchange);
    if (!(await ctx.auth.apiKeys.revoke(id, Date.now()))) throw new TidingsError('TIDINGS_NOT_FOUND', `no API key ${id}`);
    exchange.json(200, { id, revoked: true }, corsHeaders(ctx, exchange));
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}

function describeKey({ id, name, publish, subscribe, consume, createdAt, revokedAt }: StoredApiKey) {
  return { id, name, publish, subscribe, consume: consume ?? [], createdAt, ...(revokedAt === undefined ? {} : { revokedAt }) };
}
