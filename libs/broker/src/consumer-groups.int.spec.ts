import { type ConsumerGroupsFixture, consumerGroupsContract, type ConsumerGroupsOptions, type Implementation, runContract } from '@tidings/contracts';
import { MemoryConsumerGroups, MemoryEventLog } from '@tidings/core';
import { RedisConsumerGroups } from './redis-consumer-groups.js';
import { RedisEventLog } from './redis-event-log.js';
import { connect, REDIS_BACKENDS } from './spec-support/redis-backends.js';

const memory: Implementation<ConsumerGroupsOptions, ConsumerGroupsFixture> = {
  name: 'memory',
  setUp: async () => ({
    create: async ({ maxLength }) => {
      const log = new MemoryEventLog({ maxLength, now: Date.now });
      return { log, groups: new MemoryConsumerGroups(log) };
    },
    tearDown: async () => undefined,
  }),
};

const onRedis = REDIS_BACKENDS.map(
  (backend): Implementation<ConsumerGroupsOptions, ConsumerGroupsFixture> => ({
    name: backend.name,
    setUp: async () => {
      const { redis, keys, stop } = await connect(backend, 'consumer-groups-contract');
      return {
        create: async ({ maxLength }) => {
          const fixtureKeys = keys();
          return { log: new RedisEventLog({ redis, keys: fixtureKeys, retention: { maxLength, maxAgeSeconds: 3600 } }), groups: new RedisConsumerGroups(redis, fixtureKeys) };
        },
        tearDown: stop,
      };
    },
  }),
);

runContract('ConsumerGroups', [memory, ...onRedis], consumerGroupsContract);
