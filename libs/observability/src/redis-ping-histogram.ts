import { Histogram, type Registry } from 'prom-client';

const PING_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

/** tidings_redis_ping_duration_seconds, the same on edges and workers. */
export function redisPingHistogram(registers: Registry[]): Histogram<never> {
  return new Histogram<never>({
    name: 'tidings_redis_ping_duration_seconds',
    help: 'Round trip of a PING on the Redis command connection, sampled every few seconds, in seconds.',
    buckets: PING_BUCKETS,
    registers,
  });
}
