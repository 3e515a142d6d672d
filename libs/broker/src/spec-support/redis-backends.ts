// The Redis servers a port's contract runs against: a standalone redis-server (or REDIS_URL) and a
// real 3+3 Redis Cluster, started once for the whole project by its global setup.
import type { Implementation } from '@tidings/contracts';
import type { Redis } from 'ioredis';
import { inject } from 'vitest';
import { createRedisClient, createSubscriberFactory, type RedisClient, type RedisTarget } from '../redis-client.js';
import { RedisKeys } from '../redis-keys.js';

export interface RedisBackend {
  readonly name: string;
  /** The server to use; `stop` releases it (the shared servers stop with the test run, not here). */
  start(): Promise<{ target: RedisTarget; stop: () => Promise<void> }>;
}

const shared = (kind: 'standalone' | 'cluster') => async () => ({ target: inject('redisTargets')[kind], stop: async () => undefined });

/** The servers of the project's global setup (redis-servers.global.ts), shared by every suite. */
export const REDIS_BACKENDS: readonly RedisBackend[] = [
  { name: 'standalone Redis', start: shared('standalone') },
  { name: 'Redis Cluster', start: shared('cluster') },
];

let prefixes = 0;
/** Test files may share a process id (worker threads) and the servers: a random part keeps prefixes apart. */
const RUN = Math.random().toString(36).slice(2, 8);

export interface Connected {
  readonly redis: RedisClient;
  /** A key prefix of its own for each fixture. */
  readonly keys: () => RedisKeys;
  /** Opens a pub/sub connection, for a live bus. */
  readonly subscriber: () => Redis;
  readonly stop: () => Promise<void>;
}

/** A client on the backend and a key prefix of its own for every fixture made from it. */
export async function connect(backend: RedisBackend, name: string): Promise<Connected> {
  const { target, stop } = await backend.start();
  const redis = createRedisClient(target, name);
  return {
    redis,
    keys: () => new RedisKeys(`t${process.pid}${RUN}x${++prefixes}`),
    subscriber: createSubscriberFactory(target, `${name}-live`),
    stop: async () => {
      await redis.quit();
      await stop();
    },
  };
}

/**
 * One contract implementation per Redis backend: `create` makes a fixture on the backend's shared
 * connection; whatever a fixture registers with `onStop` (a live bus, say) is closed at tear-down.
 */
export function onRedis<Options, Fixture>(
  name: string,
  create: (connected: Connected, options: Options, onStop: (stop: () => Promise<void>) => void) => Promise<Fixture>,
): Implementation<Options, Fixture>[] {
  return REDIS_BACKENDS.map((backend) => ({
    name: backend.name,
    setUp: async () => {
      const connected = await connect(backend, name);
      const stops: (() => Promise<void>)[] = [];
      return {
        create: (options) => create(connected, options, (stop) => stops.push(stop)),
        tearDown: async () => {
          await Promise.all(stops.map((stop) => stop()));
          await connected.stop();
        },
      };
    },
  }));
}
