import { type ConsumerGroupsFixture, consumerGroupsContract, type ConsumerGroupsOptions, inMemory, runContract } from '@tidings/contracts';
import { MemoryConsumerGroups, MemoryEventLog } from '@tidings/core';
import { RedisConsumerGroups } from './redis-consumer-groups.js';
import { RedisEventLog } from './redis-event-log.js';
import { onRedis } from './spec-support/redis-backends.js';

const memory = inMemory<ConsumerGroupsOptions, ConsumerGroupsFixture>(({ maxLength }) => {
  const log = new MemoryEventLog({ maxLength, now: Date.now });
  return { log, groups: new MemoryConsumerGroups(log) };
});

const redis = onRedis<ConsumerGroupsOptions, ConsumerGroupsFixture>('consumer-groups-contract', async ({ redis, keys }, { maxLength }) => {
  const fixtureKeys = keys();
  return { log: new RedisEventLog({ redis, keys: fixtureKeys, retention: { maxLength, maxAgeSeconds: 3600 } }), groups: new RedisConsumerGroups(redis, fixtureKeys) };
});

runContract('ConsumerGroups', [memory, ...redis], consumerGroupsContract);
