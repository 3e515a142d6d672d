import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { isDeviceId, isTidingsError, parseSubscription, TidingsError } from '@tidings/protocol';
import { createLocalJWKSet, decodeProtectedHeader, errors, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose';
import type { Grant } from './grant.js';

export interface JwtSettings {
  /** HS256 key. */
  readonly secret?: string;
  /** One RS256 or ES256 public key, PEM (SPKI). */
  readonly publicKeyPem?: string;
  /** RS256/ES256 public keys, picked by the token's `kid`. */
  readonly jwks?: JSONWebKeySet;
  readonly issuer?: string;
  readonly audience?: string;
  readonly clockSkewSeconds: number;
}

/** The claim holding a token's rights: `{ "tidings": { "subscribe": [...], "publish": [...], "consume": [...] } }`. */
export const GRANT_CLAIM = 'tidings';
const MAX_PATTERNS = 256;

type KeyFor = Parameters<typeof jwtVerify>[1];

/**
 * Checks bearer tokens with jose and turns their claims into a Grant. Each algorithm is bound to
 * the one key source configured for it — HS256 to the secret, RS256/ES256 to the public keys —
 * so a token cannot choose how it is checked (no `none`, no HMAC keyed with a public key).
 */
export class JwtVerifier {
  private readonly byAlgorithm = new Map<string, KeyFor>();

  constructor(private readonly settings: JwtSettings) {
    if (settings.secret) this.byAlgorithm.set('HS256', new TextEncoder().encode(settings.secret));
    if (settings.publicKeyPem) {
      const key = createPublicKey(settings.publicKeyPem);
      this.byAlgorithm.set(algorithmOf(key), key);
    }
    if (settings.jwks) {
      const keySet = createLocalJWKSet(settings.jwks);
      for (const alg of ['RS256', 'ES256']) if (!this.byAlgorithm.has(alg)) this.byAlgorithm.set(alg, keySet);
    }
    if (this.byAlgorithm.size === 0) throw new Error('no token keys configured');
  }

  /** Throws TidingsError TIDINGS_UNAUTHORIZED (or TIDINGS_TOKEN_EXPIRED) saying what is wrong. */
  async verify(token: string): Promise<Grant> {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw unauthorized('the token is not a JWT');
    }
    const key = typeof alg === 'string' ? this.byAlgorithm.get(alg) : undefined;
    if (key === undefined) throw unauthorized(`tokens signed with ${String(alg)} are not accepted here`);
    const { issuer, audience, clockSkewSeconds } = this.settings;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key as Parameters<typeof jwtVerify>[1] & KeyObject, {
        algorithms: [alg as string],
        requiredClaims: ['exp'],
        clockTolerance: clockSkewSeconds,
        ...(issuer ? { issuer } : {}),
        ...(audience ? { audience } : {}),
      }));
    } catch (error) {
      throw toTidingsError(error);
    }
    return grantOf(payload, token);
  }
}

function algorithmOf(key: KeyObject): string {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error(`the public key must be RSA (RS256) or EC P-256 (ES256), not ${key.asymmetricKeyType ?? 'unknown'}`);
}

function grantOf(payload: JWTPayload, token: string): Grant {
  const claim = payload[GRANT_CLAIM];
  if (claim === null || typeof claim !== 'object' || Array.isArray(claim)) throw unauthorized(`the token has no "${GRANT_CLAIM}" claim naming what it may do`);
  const { subscribe = [], publish = [], consume = [] } = claim as { subscribe?: unknown; publish?: unknown; consume?: unknown };
  const grant: Grant = {
    kind: 'token',
    subscribe: patterns(subscribe, 'subscribe'),
    publish: patterns(publish, 'publish'),
    consume: patterns(consume, 'consume'),
    expiresAt: (payload.exp as number) * 1000,
  };
  if (payload.sub === undefined) return { ...grant, principal: `token:${createHash('sha256').update(token).digest('hex').slice(0, 32)}` };
  if (!isDeviceId(payload.sub)) throw unauthorized('the token\'s sub is not a valid device id');
  return { ...grant, device: payload.sub, principal: `sub:${payload.sub}` };
}

function patterns(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || value.length > MAX_PATTERNS || !value.every((p) => typeof p === 'string')) {
    throw unauthorized(`"${GRANT_CLAIM}.${name}" must be a list of at most ${MAX_PATTERNS} channels or patterns`);
  }
  try {
    for (const pattern of value) parseSubscription(pattern);
  } catch (error) {
    throw unauthorized(`"${GRANT_CLAIM}.${name}" holds an invalid pattern: ${isTidingsError(error) ? error.message : String(error)}`);
  }
  return value as string[];
}

function toTidingsError(error: unknown): TidingsError {
  if (error instanceof errors.JWTExpired) return new TidingsError('TIDINGS_TOKEN_EXPIRED', 'the token has expired; get a new one');
  if (error instanceof errors.JWTClaimValidationFailed) return unauthorized(`the token's ${error.claim} claim is not acceptable (${error.reason})`);
  if (error instanceof errors.JWSSignatureVerificationFailed) return unauthorized('the token signature does not verify');
  if (error instanceof errors.JOSEError) return unauthorized(`the token is not acceptable (${error.code})`);
  return unauthorized('the token could not be checked');
}

function unauthorized(message: string): TidingsError {
  return new TidingsError('TIDINGS_UNAUTHORIZED', message);
}
