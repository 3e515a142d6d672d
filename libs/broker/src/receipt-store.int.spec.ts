import { inMemory, type ReceiptStoreFixture, receiptStoreContract, runContract } from '@tidings/contracts';
import { MemoryDeviceStore, MemoryEventLog, MemoryReceiptStore } from '@tidings/core';
import { RedisDeviceStore } from './redis-device-store.js';
import { RedisEventLog } from './redis-event-log.js';
import { RedisReceiptStore } from './redis-receipt-store.js';
import { onRedis } from './spec-support/redis-backends.js';

const LIMITS = { idleMs: 60_000, maxPatterns: 16, maxChannelsPerPattern: 100 };

const memory = inMemory<void, ReceiptStoreFixture>(() => {
  // The three know each other: members owe receipts for what the log appends.
  const devices: MemoryDeviceStore = new MemoryDeviceStore({ ...LIMITS, newestId: (channel) => log.newestId(channel), logNow: () => log.clock(), now: Date.now });
  const receipts = new MemoryReceiptStore(devices);
  const log = new MemoryEventLog({ maxLength: 1000, now: Date.now, receipts });
  return { log, devices, receipts };
});

const redis = onRedis<void, ReceiptStoreFixture>('receipt-store-contract', async ({ redis, keys }) => {
  const fixtureKeys = keys();
  return {
    log: new RedisEventLog({ redis, keys: fixtureKeys, retention: { maxLength: 1000, maxAgeSeconds: 3600 } }),
    devices: new RedisDeviceStore(redis, fixtureKeys, LIMITS),
    receipts: new RedisReceiptStore(redis, fixtureKeys),
  };
});

runContract('ReceiptStore', [memory, ...redis], receiptStoreContract);
