import { inMemory, ManualClock, type NodeRegistryFixture, nodeRegistryContract, runContract } from '@tidings/contracts';
import { MemoryNodeRegistry } from '@tidings/core';
import { RedisNodeRegistry } from './redis-node-registry.js';
import { onRedis } from './spec-support/redis-backends.js';

type Options = { ttlMs: number };

const memory = inMemory<Options, NodeRegistryFixture>(({ ttlMs }) => {
  const clock = new ManualClock();
  return { nodes: new MemoryNodeRegistry(ttlMs, clock.now), clock };
});

const redis = onRedis<Options, NodeRegistryFixture>('node-registry-contract', async ({ redis, keys }, { ttlMs }) => {
  const clock = new ManualClock();
  return { nodes: new RedisNodeRegistry(redis, keys(), ttlMs, clock.now), clock };
});

runContract('NodeRegistry', [memory, ...redis], nodeRegistryContract);
