import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ANONYMOUS, type ConsoleToken, ConsoleTokens, type Grant, isApiKeyShaped, isConsoleTokenShaped, JwtVerifier, type JwtSettings, mayConsume, mayPublish, maySubscribe, parseApiKey, secretMatches } from '@tidings/auth';
import type { ApiKeyStore, StoredApiKey } from '@tidings/core';
import type { EdgeConfig } from '@tidings/config';
import { type Subscription as SubscriptionSpec, TidingsError } from '@tidings/protocol';
import type { HttpExchange } from '@tidings/transport-uws';
import type { EdgeContext } from '../context.js';

/** How long a node trusts what it read of an API key: the longest a revocation takes to apply. */
export const API_KEY_CACHE_MS = 5000;
const API_KEY_CACHE_MAX = 10_000;

/** The authentication settings cannot work: the edge does not start (exit status 2). */
export class AuthSetupError extends Error {}

/**
 * Who is asking, for every route: a bearer token (header, or `?token=` where a browser cannot
 * set headers), checked by the JwtVerifier; no token at all is anonymous, which only anonymous
 * mode accepts. The admin API has its own token.
 */
export class EdgeAuth {
  private readonly adminDigest: Buffer | undefined;
  /** Only with an admin token: their key is derived from it. */
  private readonly consoleTokens: ConsoleTokens | undefined;
  private readonly keyCache = new Map<string, { key: StoredApiKey | undefined; until: number }>();

  private constructor(
    private readonly verifier: JwtVerifier | undefined,
    readonly apiKeys: ApiKeyStore,
    private readonly allowAnonymous: boolean,
    adminToken: string | null,
    consoleTokenSeconds: number,
    clockSkewSeconds: number,
    private readonly now: () => number,
  ) {
    this.adminDigest = adminToken === null ? undefined : digest(adminToken);
    this.consoleTokens = adminToken === null ? undefined : new ConsoleTokens(adminToken, consoleTokenSeconds, clockSkewSeconds, now);
  }

  /**
   * Reads the configured key files. Throws AuthSetupError when one is unusable, or when neither
   * keys nor anonymous mode are configured (every client would be refused).
   */
  static async create(config: EdgeConfig, apiKeys: ApiKeyStore, now: () => number = Date.now): Promise<EdgeAuth> {
    const { auth } = config;
    const settings: { -readonly [K in keyof JwtSettings]: JwtSettings[K] } = { clockSkewSeconds: auth.clockSkewSeconds };
    if (auth.jwtSecret) settings.secret = auth.jwtSecret;
    if (auth.issuer) settings.issuer = auth.issuer;
    if (auth.audience) settings.audience = auth.audience;
    if (auth.jwtPublicKeyFile) settings.publicKeyPem = await readConfigFile(auth.jwtPublicKeyFile, '--auth-jwt-public-key-file');
    if (auth.jwksFile) {
      const text = await readConfigFile(auth.jwksFile, '--auth-jwks-file');
      try {
        settings.jwks = JSON.parse(text) as JwtSettings['jwks'];
      } catch {
        throw new AuthSetupError(`--auth-jwks-file ${auth.jwksFile} is not JSON`);
      }
    }
    let verifier: JwtVerifier | undefined;
    if (settings.secret || settings.publicKeyPem || settings.jwks) {
      try {
        verifier = new JwtVerifier(settings);
      } catch (error) {
        throw new AuthSetupError(`the token keys cannot be used: ${error instanceof Error ? error.message : String(error)}`);
      }
    } else if (!config.allowAnonymous && !auth.apiKeysFile) {
      throw new AuthSetupError(
        'no authentication is configured, so every client would be refused.\n' +
          'Configure token keys (--auth-jwt-secret, --auth-jwt-public-key-file or --auth-jwks-file; see docs/config.md) or seeded API keys (--auth-api-keys-file),\n' +
          'or pass --allow-anonymous (TIDINGS_ALLOW_ANONYMOUS=1) to run without authentication (development only).',
      );
    }
    return new EdgeAuth(verifier, apiKeys, config.allowAnonymous, auth.adminToken, auth.consoleTokenSeconds, auth.clockSkewSeconds, now);
  }

  get acceptsAnonymous(): boolean {
    return this.allowAnonymous;
  }

  /** The grant of a request carrying `token` (or none). Throws TidingsError 401. */
  async grant(token: string | undefined): Promise<Grant> {
    if (token === undefined) {
      if (this.allowAnonymous) return ANONYMOUS;
      throw new TidingsError('TIDINGS_UNAUTHORIZED', 'send a token: Authorization: Bearer <token>, or ?token= where headers cannot be set');
    }
    if (isApiKeyShaped(token)) return this.keyGrant(token);
    if (this.consoleTokens && isConsoleTokenShaped(token)) return this.consoleTokens.verify(token);
    if (!this.verifier) throw new TidingsError('TIDINGS_UNAUTHORIZED', 'this node accepts no tokens: no token keys are configured');
    return this.verifier.verify(token);
  }

  /**
   * A publisher API key's grant. Keys are cached briefly per node, so a revocation takes effect
   * everywhere within API_KEY_CACHE_MS; unknown ids are cached too, so guessing costs no Redis load.
   */
  private async keyGrant(credential: string): Promise<Grant> {
    const parsed = parseApiKey(credential);
    if (!parsed) throw new TidingsError('TIDINGS_UNAUTHORIZED', 'the API key is malformed');
    const now = this.now();
    let cached = this.keyCache.get(parsed.id);
    if (!cached || cached.until <= now) {
      if (this.keyCache.size >= API_KEY_CACHE_MAX) this.keyCache.clear();
      cached = { key: await this.apiKeys.get(parsed.id), until: now + API_KEY_CACHE_MS };
      this.keyCache.set(parsed.id, cached);
    }
    const { key } = cached;
    if (!key || !secretMatches(parsed.secret, key.secretHash)) throw new TidingsError('TIDINGS_UNAUTHORIZED', 'unknown API key');
    if (key.revokedAt !== undefined) throw new TidingsError('TIDINGS_UNAUTHORIZED', 'this API key was revoked');
    return { kind: 'key', subscribe: key.subscribe, publish: key.publish, consume: key.consume ?? [], keyId: key.id, principal: `key:${key.id}` };
  }

  /** Admin routes: the admin token, or anyone in anonymous mode when no admin token is set. */
  requireAdmin(token: string | undefined): void {
    if (this.adminDigest === undefined) {
      if (this.allowAnonymous) return;
      throw new TidingsError('TIDINGS_UNAUTHORIZED', 'the admin API is closed: no admin token is configured');
    }
    if (token === undefined || !timingSafeEqual(digest(token), this.adminDigest)) {
      throw new TidingsError('TIDINGS_UNAUTHORIZED', 'the admin API needs the admin token');
    }
  }

  /**
   * A short-lived token with every right for the web console, whose caller showed the admin token;
   * undefined when no admin token is configured (then only anonymous mode reaches here, and the
   * console needs no token).
   */
  async mintConsoleToken(adminToken: string | undefined): Promise<ConsoleToken | undefined> {
    this.requireAdmin(adminToken);
    return this.consoleTokens?.mint();
  }
}

/** The token of a request: `Authorization: Bearer …` first, else the `token` query parameter. */
export function tokenOf(authorization: string | undefined, query: URLSearchParams): string | undefined {
  const bearer = authorization === undefined ? undefined : /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
  if (authorization !== undefined && authorization !== '' && bearer === undefined) {
    throw new TidingsError('TIDINGS_UNAUTHORIZED', 'the Authorization header must be "Bearer <token>"');
  }
  return bearer ?? (query.get('token') || undefined);
}

/** The grant of an HTTP request. */
export function grantOf(ctx: EdgeContext, exchange: HttpExchange): Promise<Grant> {
  return ctx.auth.grant(tokenOf(exchange.headers['authorization'], exchange.query));
}

/**
 * The request's grant and body. uWS delivers the body only to a reader registered at once, so the
 * read starts before the (asynchronous) token check; a refused request's body is dropped.
 */
export async function authenticatedBody(ctx: EdgeContext, exchange: HttpExchange): Promise<{ grant: Grant; bytes: Uint8Array }> {
  const reading = exchange.readBody(ctx.config.limits.maxBodyBytes);
  reading.catch(() => undefined); // awaited below unless the grant fails first
  const grant = await grantOf(ctx, exchange);
  return { grant, bytes: await reading };
}

/** Spends `cost` of the principal's publish budget (anonymous requests have none to spend). */
export async function spendPublishBudget(ctx: EdgeContext, grant: Grant, cost: number): Promise<void> {
  if (grant.principal === undefined) return;
  const { allowed, retryAfterMs } = await ctx.rateLimiter.take(grant.principal, cost);
  if (!allowed) throw new RateLimitedError(retryAfterMs);
}

/** 429, with how long to wait (the Retry-After header). */
export class RateLimitedError extends TidingsError {
  constructor(readonly retryAfterMs: number) {
    super('TIDINGS_RATE_LIMITED', `publishing faster than allowed: retry in ${retryAfterMs} ms`);
  }
}

export function requirePublish(grant: Grant, channel: string): void {
  if (!mayPublish(grant, channel)) throw new TidingsError('TIDINGS_PUBLISH_FORBIDDEN', `these credentials may not publish on ${channel}`);
}

export function requireConsume(grant: Grant, channel: string): void {
  if (!mayConsume(grant, channel)) throw new TidingsError('TIDINGS_CONSUME_FORBIDDEN', `these credentials may not use the consumer groups of ${channel}`);
}

export function requireSubscribe(grant: Grant, specs: readonly SubscriptionSpec[]): void {
  for (const spec of specs) {
    if (!maySubscribe(grant, spec)) {
      throw new TidingsError('TIDINGS_SUBSCRIBE_FORBIDDEN', `these credentials may not subscribe to ${spec.kind === 'channel' ? spec.channel : spec.pattern}`);
    }
  }
}

/**
 * The device a request speaks for: a token's is its `sub` (naming another is refused, and a token
 * without one speaks for no device); anonymous requests name their own.
 */
export function deviceFor(grant: Grant, requested: string | undefined): string | undefined {
  if (grant.kind === 'anonymous') return requested;
  if (requested !== undefined && requested !== grant.device) {
    throw new TidingsError(
      'TIDINGS_DEVICE_FORBIDDEN',
      grant.device ? `this token speaks for device ${grant.device}, not ${requested}` : 'this token speaks for no device (it has no sub)',
    );
  }
  return grant.device;
}

function digest(token: string): Buffer {
  // Hashing first makes the comparison constant-time whatever the lengths.
  return createHash('sha256').update(token).digest();
}

async function readConfigFile(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new AuthSetupError(`${flag} ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}
