import { Counter, Histogram, type Registry } from 'prom-client';

const REDIS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

/** tidings_redis_ping_duration_seconds, the same on edges and workers. */
export function redisPingHistogram(registers: Registry[]): Histogram<never> {
  return new Histogram<never>({
    name: 'tidings_redis_ping_duration_seconds',
    help: 'Round trip of a PING on the Redis command connection, sampled every few seconds, in seconds.',
    buckets: REDIS_BUCKETS,
    registers,
  });
}

export interface RedisCommandMetrics {
  /** tidings_redis_command_duration_seconds{command}: a sample of the command connection's commands. */
  readonly duration: Histogram<'command'>;
  /** tidings_redis_command_errors_total{command}: commands answered with an error. */
  readonly errors: Counter<'command'>;
  /** Records a sampled command's round trip (the shape the broker's command timing reports to). */
  took(command: string, seconds: number): void;
  failed(command: string): void;
}

/** Per-command Redis metrics, the same on edges and workers; `command` is a closed set of names. */
export function redisCommandMetrics(registers: Registry[]): RedisCommandMetrics {
  const duration = new Histogram({
    name: 'tidings_redis_command_duration_seconds',
    help: "Round trip of Redis commands on the command connection (one in eight sampled), by command; Tidings' scripts by name, in seconds.",
    labelNames: ['command'],
    buckets: REDIS_BUCKETS,
    registers,
  });
  const errors = new Counter({
    name: 'tidings_redis_command_errors_total',
    help: 'Redis commands answered with an error (by Redis or a failed connection), by command.',
    labelNames: ['command'],
    registers,
  });
  return {
    duration,
    errors,
    took: (command, seconds) => duration.observe({ command }, seconds),
    failed: (command) => errors.inc({ command }),
  };
}
