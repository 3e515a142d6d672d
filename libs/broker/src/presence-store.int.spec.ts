import { inMemory, ManualClock, type PresenceStoreFixture, presenceStoreContract, runContract } from '@tidings/contracts';
import { MemoryEventLog, MemoryLiveBus, MemoryPresenceStore } from '@tidings/core';
import { RedisLiveBus } from './redis-live-bus.js';
import { RedisPresenceStore } from './redis-presence-store.js';
import { onRedis } from './spec-support/redis-backends.js';

type Options = { ttlMs: number };

const memory = inMemory<Options, PresenceStoreFixture>(({ ttlMs }) => {
  const clock = new ManualClock();
  const presence = new MemoryPresenceStore(ttlMs, clock.now);
  return { presence, bus: new MemoryLiveBus(new MemoryEventLog(), undefined, presence), clock };
});

const redis = onRedis<Options, PresenceStoreFixture>('presence-store-contract', async ({ redis, keys, subscriber }, { ttlMs }, onStop) => {
  const clock = new ManualClock();
  const fixtureKeys = keys();
  const bus = new RedisLiveBus({ keys: fixtureKeys, openConnection: subscriber, onError: () => undefined });
  onStop(() => bus.stop());
  return { presence: new RedisPresenceStore(redis, fixtureKeys, ttlMs, clock.now), bus, clock };
});

runContract('PresenceStore', [memory, ...redis], presenceStoreContract);
