import { generateApiKey } from '@tidings/auth';
import type { StoredApiKey } from '@tidings/core';
import { isJsonObject, parseJsonStrict, parseSubscription, TidingsError } from '@tidings/protocol';
import type { HttpExchange } from '@tidings/transport-uws';
import { requireAdmin } from './admin-routes.js';
import type { EdgeContext } from '../context.js';
import { corsHeaders } from './cors.js';
import { sendError } from './http-errors.js';

const MAX_PATTERNS = 256;
const NAME_RE = /^[\x20-\x7e]{1,100}$/;

/** POST /v1/admin/keys `{ "name", "publish": [...], "subscribe"?: [...], "consume"?: [...] }` — the key is in this answer only. */
export async function handleCreateKey(ctx: EdgeContext, exchange: HttpExchange): Promise<void> {
  try {
    const body = await exchange.readBody(ctx.config.limits.maxBodyBytes);
    requireAdmin(ctx, exchange);
    const { name, publish, subscribe, consume } = parseKeyRequest(body, ctx.config.limits.maxJsonDepth);
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
    if (!(await ctx.auth.apiKeys.revoke(id))) throw new TidingsError('TIDINGS_NOT_FOUND', `no API key ${id}`);
    exchange.json(200, { id, revoked: true }, corsHeaders(ctx, exchange));
  } catch (error) {
    sendError(ctx, exchange, error);
  }
}

function describeKey({ id, name, publish, subscribe, consume, createdAt, revokedAt }: StoredApiKey) {
  return { id, name, publish, subscribe, consume: consume ?? [], createdAt, ...(revokedAt === undefined ? {} : { revokedAt }) };
}

function parseKeyRequest(body: Uint8Array, maxJsonDepth: number): { name: string; publish: string[]; subscribe: string[]; consume: string[] } {
  const json = parseJsonStrict(body, { maxJsonDepth });
  if (!isJsonObject(json)) throw invalid('the body must be a JSON object');
  for (const key of Object.keys(json)) if (!['name', 'publish', 'subscribe', 'consume'].includes(key)) throw invalid(`unknown key "${key}"`);
  const { name, publish = [], subscribe = [], consume = [] } = json as { name?: unknown; publish?: unknown; subscribe?: unknown; consume?: unknown };
  if (typeof name !== 'string' || !NAME_RE.test(name)) throw invalid('name must be 1-100 printable ASCII characters');
  const patterns = (value: unknown, field: string): string[] => {
    if (!Array.isArray(value) || value.length > MAX_PATTERNS || !value.every((p) => typeof p === 'string')) {
      throw invalid(`${field} must be a list of at most ${MAX_PATTERNS} channels or patterns`);
    }
    for (const pattern of value) parseSubscription(pattern);
    return value as string[];
  };
  const grants = { publish: patterns(publish, 'publish'), subscribe: patterns(subscribe, 'subscribe'), consume: patterns(consume, 'consume') };
  if (grants.publish.length + grants.subscribe.length + grants.consume.length === 0) throw invalid('a key must grant something: publish, subscribe or consume patterns');
  return { name, ...grants };
}

function invalid(message: string): TidingsError {
  return new TidingsError('TIDINGS_BODY_INVALID', message);
}
