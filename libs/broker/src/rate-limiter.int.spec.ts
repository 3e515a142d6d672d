import { inMemory, type RateLimiterOptions, rateLimiterContract, runContract } from '@tidings/contracts';
import { MemoryRateLimiter, type RateLimiter } from '@tidings/core';
import { RedisRateLimiter } from './redis-rate-limiter.js';
import { onRedis } from './spec-support/redis-backends.js';

const memory = inMemory<RateLimiterOptions, RateLimiter>(({ ratePerSecond, burst }) => new MemoryRateLimiter(ratePerSecond, burst));

const redis = onRedis<RateLimiterOptions, RateLimiter>('rate-limiter-contract', async ({ redis, keys }, { ratePerSecond, burst }) =>
  new RedisRateLimiter(redis, keys(), ratePerSecond, burst),
);

runContract('RateLimiter', [memory, ...redis], rateLimiterContract);
