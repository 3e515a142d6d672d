import { inMemory, type LiveBusFixture, liveBusContract, runContract } from '@tidings/contracts';
import { MemoryEventLog, MemoryLiveBus } from '@tidings/core';
import { RedisEventLog } from './redis-event-log.js';
import { RedisLiveBus } from './redis-live-bus.js';
import { onRedis } from './spec-support/redis-backends.js';

const memory = inMemory<void, LiveBusFixture>(() => {
  const log = new MemoryEventLog();
  return { log, bus: new MemoryLiveBus(log) };
});

const redis = onRedis<void, LiveBusFixture>('live-bus-contract', async ({ redis, keys, subscriber }, _options, onStop) => {
  const fixtureKeys = keys();
  const bus = new RedisLiveBus({ keys: fixtureKeys, openConnection: subscriber, onError: () => undefined });
  onStop(() => bus.stop());
  return { log: new RedisEventLog({ redis, keys: fixtureKeys, retention: { maxLength: 1000, maxAgeSeconds: 3600 } }), bus };
});

runContract('LiveBus', [memory, ...redis], liveBusContract);
