import { type Implementation, type ReceiptStoreFixture, receiptStoreContract, runContract } from '@tidings/contracts';
import { MemoryDeviceStore, MemoryEventLog, MemoryReceiptStore } from '@tidings/core';
import { RedisDeviceStore } from './redis-device-store.js';
import { RedisEventLog } from './redis-event-log.js';
import { RedisReceiptStore } from './redis-receipt-store.js';
import { connect, REDIS_BACKENDS } from './spec-support/redis-backends.js';

const LIMITS = { idleMs: 60_000, maxPatterns: 16, maxChannelsPerPattern: 100 };

const memory: Implementation<void, ReceiptStoreFixture> = {
  name: 'memory',
  setUp: async () => ({
    create: async () => {
      // The three know each other: members owe receipts for what the log appends.
      const devices: MemoryDeviceStore = new MemoryDeviceStore({ ...LIMITS, newestId: (channel) => log.newestId(channel), logNow: () => log.clock(), now: Date.now });
      const receipts = new MemoryReceiptStore(devices);
      const log = new MemoryEventLog({ maxLength: 1000, now: Date.now, receipts });
      return { log, devices, receipts };
    },
    tearDown: async () => undefined,
  }),
};

const onRedis = REDIS_BACKENDS.map(
  (backend): Implementation<void, ReceiptStoreFixture> => ({
    name: backend.name,
    setUp: async () => {
      const { redis, keys, stop } = await connect(backend, 'receipt-store-contract');
      return {
        create: async () => {
          const fixtureKeys = keys();
          return {
            log: new RedisEventLog({ redis, keys: fixtureKeys, retention: { maxLength: 1000, maxAgeSeconds: 3600 } }),
            devices: new RedisDeviceStore(redis, fixtureKeys, LIMITS),
            receipts: new RedisReceiptStore(redis, fixtureKeys),
          };
        },
        tearDown: stop,
      };
    },
  }),
);

runContract('ReceiptStore', [memory, ...onRedis], receiptStoreContract);
