import {
  createRedisClient,
  RedisPingProbe,
  timeRedisCommands,
  createSubscriberFactory,
  type RedisClient,
  RedisApiKeyStore,
  RedisRateLimiter,
  RedisEventLog,
  ReplicatedWrites,
  RedisKeys,
  RedisLiveBus,
  RedisNodeRegistry,
  RedisPresenceStore,
  ReceiptJobQueue,
  RedisConsumerGroups,
  RedisDeviceStore,
  RedisReceiptStore,
} from '@tidings/broker';
import type { EdgeConfig } from '@tidings/config';
import {
  type ApiKeyStore,
  type ConsumerGroups,
  type DeviceLimits,
  type DeviceStore,
  type EventLog,
  type LiveBus,
  type MemoryEventLog,
  MemoryLiveBus,
  type MemoryApiKeyStore,
  type MemoryConsumerGroups,
  type MemoryDeviceStore,
  type MemoryRateLimiter,
  type MemoryNodeRegistry,
  MemoryPresenceStore,
  type MemoryReceiptStore,
  type NodeRegistry,
  type PresenceStore,
  type RateLimiter,
  type ReceiptStore,
} from '@tidings/core';
import type { Logger, Metrics } from '@tidings/observability';
import type { StreamId } from '@tidings/protocol';

/** Where an edge keeps its log and hears about new events. */
export interface Engine {
  readonly log: EventLog;
  readonly bus: LiveBus;
  readonly devices: DeviceStore;
  readonly groups: ConsumerGroups;
  readonly receipts: ReceiptStore;
  readonly presence: PresenceStore;
  readonly nodes: NodeRegistry;
  readonly apiKeys: ApiKeyStore;
  readonly rateLimiter: RateLimiter;
  /** Hands an ack event to the worker (BullMQ); the in-process engine has no worker. */
  scheduleReceipts(channel: string, id: StreamId): Promise<void>;
  isReady(): boolean;
  stop(): Promise<void>;
}

const REDIS_PING_EVERY_MS = 5000;
/** One Redis command in this many is timed; every error is counted. */
const REDIS_COMMAND_SAMPLE_EVERY = 8;

/** The real thing: Redis Streams and pub/sub, standalone or Cluster. */
export function createRedisEngine(config: EdgeConfig, logger: Logger, metrics: Metrics): Engine {
  if (!config.redis) throw new Error('no Redis configured: pass --redis redis://HOST:PORT (or REDIS_URL), or run `tidings dev`');
  const keys = new RedisKeys();
  const redis = createRedisClient(config.redis, `tidings-edge:${config.nodeId}`);
  redis.on('error', (error: unknown) => {
    metrics.redisErrorsTotal.inc({ connection: 'commands' });
    logger.warn({ err: error }, 'redis connection error');
  });
  void warnOnEvictionPolicy(redis, logger);
  timeRedisCommands(redis, metrics.redisCommands, REDIS_COMMAND_SAMPLE_EVERY);
  const ping = new RedisPingProbe(redis, (seconds) => metrics.redisPing.observe(seconds), REDIS_PING_EVERY_MS);
  ping.start();
  const bus = new RedisLiveBus({
    keys,
    openConnection: createSubscriberFactory(config.redis, `tidings-live:${config.nodeId}`),
    onError: (error, context) => {
      metrics.redisErrorsTotal.inc({ connection: 'live' });
      logger.warn({ err: error, context }, 'live bus problem');
    },
    onResubscribed: () => metrics.redisReconnectsTotal.inc(),
  });
  const receiptJobs = new ReceiptJobQueue(redis, keys, (error) => logger.warn({ err: error }, 'receipts job queue not ready yet'));
  const { replicas, replicaTimeoutMs } = config.publish;
  const replicated =
    replicas > 0
      ? new ReplicatedWrites(config.redis, redis, { replicas, timeoutMs: replicaTimeoutMs }, (error) => logger.warn({ err: error }, 'redis connection error (replicated publishes)'))
      : undefined;
  return {
    log: new RedisEventLog({ redis, keys, retention: config.retention, memberIdleSeconds: config.membership.idleSeconds, ...(replicated ? { replicated } : {}) }),
    bus,
    devices: new RedisDeviceStore(redis, keys, deviceLimits(config)),
    groups: new RedisConsumerGroups(redis, keys),
    receipts: new RedisReceiptStore(redis, keys),
    presence: new RedisPresenceStore(redis, keys, config.presence.ttlSeconds * 1000),
    nodes: new RedisNodeRegistry(redis, keys, config.presence.ttlSeconds * 1000),
    apiKeys: new RedisApiKeyStore(redis, keys),
    rateLimiter: new RedisRateLimiter(redis, keys, config.limits.publishRatePerSecond, config.limits.publishBurst),
    scheduleReceipts: (channel, id) => receiptJobs.schedule(channel, id),
    isReady: () => redis.status === 'ready' && bus.ready,
    async stop() {
      ping.stop();
      await bus.stop();
      await receiptJobs.close();
      await replicated?.stop();
      await redis.quit().catch((error: unknown) => logger.warn({ err: error }, 'redis did not close cleanly'));
    },
  };
}

/**
 * Edges in one process sharing a log in memory: `tidings dev` on a machine without redis-server.
 * Nothing persists and nothing crosses processes; each edge gets its own bus over the shared log.
 */
export function createMemoryEngine(shared: {
  readonly log: MemoryEventLog;
  readonly devices: MemoryDeviceStore;
  readonly groups: MemoryConsumerGroups;
  readonly receipts: MemoryReceiptStore;
  readonly presence: MemoryPresenceStore;
  readonly nodes: MemoryNodeRegistry;
  readonly apiKeys: MemoryApiKeyStore;
  readonly rateLimiter: MemoryRateLimiter;
}): Engine {
  const { log, devices, groups, receipts, presence, nodes, apiKeys, rateLimiter } = shared;
  return {
    log,
    bus: new MemoryLiveBus(log, undefined, presence),
    devices,
    groups,
    receipts,
    presence,
    nodes,
    apiKeys,
    rateLimiter,
    scheduleReceipts: async () => undefined,
    isReady: () => true,
    stop: async () => undefined,
  };
}

/** How long devices stay members and how much each may keep durably, from the edge's configuration. */
export function deviceLimits(config: EdgeConfig): DeviceLimits {
  return {
    idleMs: config.membership.idleSeconds * 1000,
    maxPatterns: config.limits.maxDurablePatterns,
    maxChannelsPerPattern: config.limits.maxTrackedChannels,
  };
}

/** An evicting Redis can drop events without anyone knowing: say so loudly at start. */
async function warnOnEvictionPolicy(redis: RedisClient, logger: Logger): Promise<void> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const policy = reply[1];
    if (policy && policy !== 'noeviction') {
      logger.warn({ policy }, 'Redis maxmemory-policy is not noeviction: Redis may evict events and receipts silently');
    }
  } catch (error) {
    logger.info({ err: error }, 'could not read Redis maxmemory-policy (CONFIG may be disabled); make sure it is noeviction');
  }
}
