import { type EventLogFixture, eventLogContract, type EventLogOptions, inMemory, runContract } from '@tidings/contracts';
import { MemoryEventLog } from '@tidings/core';
import { RedisEventLog } from './redis-event-log.js';
import { onRedis } from './spec-support/redis-backends.js';

const memory = inMemory<EventLogOptions, EventLogFixture>(({ maxLength, maxAgeSeconds }) => ({
  log: new MemoryEventLog({ maxLength, maxAgeMs: maxAgeSeconds * 1000, now: Date.now }),
}));

const redis = onRedis<EventLogOptions, EventLogFixture>('event-log-contract', async ({ redis, keys }, retention) => ({
  log: new RedisEventLog({ redis, keys: keys(), retention }),
}));

runContract('EventLog', [memory, ...redis], eventLogContract);
