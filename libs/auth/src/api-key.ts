import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Publisher API keys: `tk_<id>.<secret>`. Only the id and a SHA-256 of the secret are stored, so a
 * leaked store leaks no usable key; the secret is shown once, when the key is made. A JWT has
 * two dots and no `tk_` prefix, so the two kinds of credentials never look alike.
 */
export const API_KEY_PREFIX = 'tk_';
const KEY_RE = /^tk_([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  readonly id: string;
  /** The whole key, for the caller to keep: it cannot be shown again. */
  readonly key: string;
  readonly secretHash: string;
}

export function generateApiKey(): NewApiKey {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, key: `${API_KEY_PREFIX}${id}.${secret}`, secretHash: hashSecret(secret) };
}

export function isApiKeyShaped(credential: string): boolean {
  return credential.startsWith(API_KEY_PREFIX);
}

/** The id and secret of a well-formed key; undefined otherwise. */
export function parseApiKey(credential: string): { id: string; secret: string } | undefined {
  const match = KEY_RE.exec(credential);
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

/** The id and stored hash of a key made elsewhere (a seed file); undefined when it is not well-formed. */
export function hashApiKey(key: string): { id: string; secretHash: string } | undefined {
  const parsed = parseApiKey(key);
  return parsed && { id: parsed.id, secretHash: hashSecret(parsed.secret) };
}

/** Constant-time comparison of a presented secret with the stored hash. */
export function secretMatches(secret: string, secretHash: string): boolean {
  const stored = Buffer.from(secretHash, 'hex');
  const presented = Buffer.from(hashSecret(secret), 'hex');
  return stored.length === presented.length && timingSafeEqual(stored, presented);
}

function hashSecret(secret: string): string {
  // The secret is 256 random bits, so a fast hash is enough: there is nothing to brute-force.
  return createHash('sha256').update(secret).digest('hex');
}
