import type { ApiKeyStore, StoredApiKey } from '@tidings/core';
import { expect, it } from 'vitest';

const key = (id: string, createdAt: number, extra: Partial<StoredApiKey> = {}): StoredApiKey => ({
  id,
  name: `publisher ${id}`,
  secretHash: `sha256:${id}`,
  publish: ['orders/#'],
  subscribe: ['orders/+'],
  consume: [],
  createdAt,
  ...extra,
});

/** The rules of stored API keys (README "Authentication"), for any ApiKeyStore. */
export function apiKeyStoreContract(create: () => Promise<ApiKeyStore>): void {
  it('gives back a created key as it was made, and lists every key oldest first', async () => {
    const store = await create();
    await store.create(key('k2', 2_000, { consume: ['jobs'] }));
    await store.create(key('k1', 1_000));
    await store.create(key('k3', 3_000, { seeded: true }));
    expect(await store.get('k2')).toEqual(key('k2', 2_000, { consume: ['jobs'] }));
    expect(await store.get('nope')).toBeUndefined();
    expect((await store.list()).map((k) => k.id)).toEqual(['k1', 'k2', 'k3']);
  });

  it('revokes a key once: it is gone, and revoking it again or an unknown id says so', async () => {
    const store = await create();
    await store.create(key('k1', 1_000));
    await store.create(key('k2', 2_000));
    expect(await store.revoke('k1', 5_000)).toBe(true);
    expect(await store.get('k1')).toBeUndefined();
    expect((await store.list()).map((k) => k.id)).toEqual(['k2']);
    expect(await store.revoke('k1', 6_000)).toBe(false);
    expect(await store.revoke('nope', 6_000)).toBe(false);
  });

  it('keeps a revoked seeded key, marked with when, so that seeding it again cannot bring it back', async () => {
    const store = await create();
    await store.create(key('seed', 1_000, { seeded: true }));
    expect(await store.revoke('seed', 5_000)).toBe(true);
    expect(await store.get('seed')).toEqual(key('seed', 1_000, { seeded: true, revokedAt: 5_000 }));
    expect(await store.revoke('seed', 6_000)).toBe(false);
    expect((await store.get('seed'))?.revokedAt).toBe(5_000);
  });
}
