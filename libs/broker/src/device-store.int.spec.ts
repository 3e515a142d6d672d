import { type DeviceStoreFixture, deviceStoreContract, type Implementation, ManualClock, runContract } from '@tidings/contracts';
import { type DeviceLimits, MemoryDeviceStore, MemoryEventLog } from '@tidings/core';
import { describe, expect, it } from 'vitest';
import type { RedisClient } from './redis-client.js';
import { RedisDeviceStore } from './redis-device-store.js';
import { RedisEventLog } from './redis-event-log.js';
import type { RedisKeys } from './redis-keys.js';
import { connect, REDIS_BACKENDS } from './spec-support/redis-backends.js';

const memory: Implementation<DeviceLimits, DeviceStoreFixture> = {
  name: 'memory',
  setUp: async () => ({
    create: async (limits) => {
      const clock = new ManualClock();
      const log = new MemoryEventLog({ maxLength: 1000, now: Date.now });
      const store = new MemoryDeviceStore({ ...limits, newestId: (channel) => log.newestId(channel), logNow: () => log.clock(), now: clock.now });
      return { store, log, clock };
    },
    tearDown: async () => undefined,
  }),
};

/** Each fixture gets a key prefix of its own on the shared server. */
const onRedis = REDIS_BACKENDS.map(
  (backend): Implementation<DeviceLimits, DeviceStoreFixture & { redis: RedisClient; keys: RedisKeys }> => ({
    name: backend.name,
    setUp: async () => {
      const { redis, keys, stop } = await connect(backend, 'device-store-contract');
      return {
        create: async (limits) => {
          const fixtureKeys = keys();
          const clock = new ManualClock();
          const log = new RedisEventLog({ redis, keys: fixtureKeys, retention: { maxLength: 1000, maxAgeSeconds: 3600 } });
          return { store: new RedisDeviceStore(redis, fixtureKeys, limits, clock.now), log, clock, redis, keys: fixtureKeys };
        },
        tearDown: stop,
      };
    },
  }),
);
const standalone = onRedis[0]!;

runContract('DeviceStore', [memory, ...onRedis], deviceStoreContract);

describe('RedisDeviceStore keys', () => {
  let setUp: Awaited<ReturnType<typeof standalone.setUp>>;
  const limits: DeviceLimits = { idleMs: 60_000, maxPatterns: 4, maxChannelsPerPattern: 8 };

  it('expire a device\'s pattern records by themselves, twice the idle limit after it was last seen', async () => {
    setUp = await standalone.setUp();
    try {
      const { store, redis, keys } = await setUp.create(limits);
      await store.joinPatterns('phone', ['news/#']);
      await store.savePatternPositions('phone', 'news/#', new Map([['news/a', '1-0']]));
      await store.renewPatterns('phone', ['news/#']);
      for (const key of [keys.devicePatterns('phone'), keys.devicePattern('phone', 'news/#')]) {
        const ttl = await redis.pttl(key);
        expect(ttl, key).toBeGreaterThan(0);
        expect(ttl, key).toBeLessThanOrEqual(2 * limits.idleMs);
      }
    } finally {
      await setUp.tearDown();
    }
  });

  it('expire a persistent MQTT session\'s kept filters like its memberships, renewed while it is connected', async () => {
    setUp = await standalone.setUp();
    try {
      const { store, redis, keys } = await setUp.create(limits);
      await store.keepFilters('lamp', new Map([['home/#', 1]]), 8);
      await redis.pexpire(keys.mqttFilters('lamp'), 1000);
      await store.renewFilters('lamp');
      const ttl = await redis.pttl(keys.mqttFilters('lamp'));
      expect(ttl).toBeGreaterThan(1000);
      expect(ttl).toBeLessThanOrEqual(2 * limits.idleMs);
    } finally {
      await setUp.tearDown();
    }
  });
});
