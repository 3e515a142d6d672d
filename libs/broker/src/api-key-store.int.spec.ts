import { apiKeyStoreContract, inMemory, runContract } from '@tidings/contracts';
import { type ApiKeyStore, MemoryApiKeyStore } from '@tidings/core';
import { RedisApiKeyStore } from './redis-api-key-store.js';
import { onRedis } from './spec-support/redis-backends.js';

const memory = inMemory<void, ApiKeyStore>(() => new MemoryApiKeyStore());

const redis = onRedis<void, ApiKeyStore>('api-key-store-contract', async ({ redis, keys }) => new RedisApiKeyStore(redis, keys()));

runContract('ApiKeyStore', [memory, ...redis], apiKeyStoreContract);
