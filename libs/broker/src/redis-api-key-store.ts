import { type ApiKeyStore, revokedForm, type StoredApiKey } from '@tidings/core';
import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';

/** API keys in one hash, id → JSON: a handful of publishers, read on a cache miss only. */
export class RedisApiKeyStore implements ApiKeyStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async create(key: StoredApiKey): Promise<void> {
    await this.redis.hset(this.keys.apiKeys(), key.id, JSON.stringify(key));
  }

  async get(id: string): Promise<StoredApiKey | undefined> {
    const raw = await this.redis.hget(this.keys.apiKeys(), id);
    return raw === null ? undefined : (JSON.parse(raw) as StoredApiKey);
  }

  async list(): Promise<StoredApiKey[]> {
    const all = await this.redis.hvals(this.keys.apiKeys());
    return all.map((raw) => JSON.parse(raw) as StoredApiKey).sort((a, b) => a.createdAt - b.createdAt);
  }

  async revoke(id: string, now: number): Promise<boolean> {
    const key = await this.get(id);
    if (!key || key.revokedAt !== undefined) return false;
    const kept = revokedForm(key, now);
    if (kept) await this.create(kept);
    else await this.redis.hdel(this.keys.apiKeys(), id);
    return true;
  }
}
