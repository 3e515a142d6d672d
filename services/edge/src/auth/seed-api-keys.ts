import { readFile } from 'node:fs/promises';
import { hashApiKey } from '@tidings/auth';
import type { ApiKeyStore, StoredApiKey } from '@tidings/core';
import { isJsonObject } from '@tidings/protocol';
import { parseApiKeyGrants } from './api-key-grants.js';

/** A seed file that cannot be used: the edge does not start, and says which entry is wrong. */
export class ApiKeySeedError extends Error {}

/** Seed files are written by operators and hold a handful of keys. */
const MAX_SEED_BYTES = 1024 * 1024;

/**
 * Reads `{ "keys": [ { "name", "key": "tk_<id>.<secret>", "publish", "subscribe"?, "consume"? } ] }`
 * and keeps, of each key, only its id and a hash of its secret.
 */
export async function readApiKeySeeds(path: string, now: number): Promise<StoredApiKey[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ApiKeySeedError(`--auth-api-keys-file ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (Buffer.byteLength(text) > MAX_SEED_BYTES) throw new ApiKeySeedError(`--auth-api-keys-file ${path} is over ${MAX_SEED_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiKeySeedError(`--auth-api-keys-file ${path} is not JSON`);
  }
  if (!isJsonObject(json) || !Array.isArray(json['keys']) || Object.keys(json).length !== 1) {
    throw new ApiKeySeedError(`--auth-api-keys-file ${path} must be an object with one field, "keys": a list of keys`);
  }
  const seen = new Set<string>();
  return json['keys'].map((entry: unknown, i: number) => {
    const where = `--auth-api-keys-file ${path}: keys[${i}]`;
    let grants;
    try {
      grants = parseApiKeyGrants(entry, ['key']);
    } catch (error) {
      throw new ApiKeySeedError(`${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const key = (entry as { key?: unknown }).key;
    const hashed = typeof key === 'string' ? hashApiKey(key) : undefined;
    if (!hashed) throw new ApiKeySeedError(`${where}: key must look like tk_<16 hex digits>.<43 base64url characters>`);
    if (seen.has(hashed.id)) throw new ApiKeySeedError(`${where}: key id ${hashed.id} is listed twice`);
    seen.add(hashed.id);
    return { id: hashed.id, secretHash: hashed.secretHash, ...grants, createdAt: now };
  });
}

/**
 * Creates the seeded keys, or updates their name, secret and grants, keeping when they were made
 * and whether an admin revoked them (a revoked key is not brought back by a restart). Keys missing
 * from the file are left alone: they are revoked through the admin API.
 */
export async function seedApiKeys(store: ApiKeyStore, seeds: readonly StoredApiKey[]): Promise<void> {
  for (const seed of seeds) {
    const existing = await store.get(seed.id);
    const kept = existing ? { createdAt: existing.createdAt, ...(existing.revokedAt === undefined ? {} : { revokedAt: existing.revokedAt }) } : {};
    await store.create({ ...seed, seeded: true, ...kept });
  }
}
