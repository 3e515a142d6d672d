import { type DeviceStoreFixture, deviceStoreContract, type Implementation, ManualClock, runContract } from '@tidings/contracts';
import { type DeviceLimits, MemoryDeviceStore, MemoryEventLog } from '@tidings/core';
import { startRedisCluster, useOrStartRedis } from '@tidings/testing';
import { describe, expect, it } from 'vitest';
import { createRedisClient, type RedisClient, type RedisTarget } from './redis-client.js';
import { RedisDeviceStore } from './redis-device-store.js';
import { RedisEventLog } from './redis-event-log.js';
import { RedisKeys } from './redis-keys.js';

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

let fixtures = 0;

/** Each fixture gets a key prefix of its own on the shared server. */
function onRedis(name: string, start: () => Promise<{ target: RedisTarget; stop: () => Promise<void> }>): Implementation<DeviceLimits, DeviceStoreFixture & { redis: RedisClient; keys: RedisKeys }> {
  return {
    name,
    setUp: async () => {
      const { target, stop } = await start();
      const redis = createRedisClient(target, 'device-store-contract');
      return {
        create: async (limits) => {
          const keys = new RedisKeys(`dev${process.pid}x${++fixtures}`);
          const clock = new ManualClock();
          const log = new RedisEventLog({ redis, keys, retention: { maxLength: 1000, maxAgeSeconds: 3600 } });
          return { store: new RedisDeviceStore(redis, keys, limits, clock.now), log, clock, redis, keys };
        },
        tearDown: async () => {
          await redis.quit();
          await stop();
        },
      };
    },
  };
}

const standalone = onRedis('standalone Redis', async () => {
  const server = await useOrStartRedis();
  return { target: { kind: 'standalone', url: server.url }, stop: () => server.stop() };
});

const cluster = onRedis('Redis Cluster', async () => {
  const servers = await startRedisCluster();
  return { target: { kind: 'cluster', nodes: servers.nodes.map(({ host, port }) => ({ host, port })), tls: false }, stop: () => servers.stop() };
});

runContract('DeviceStore', [memory, standalone, cluster], deviceStoreContract);

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
});
