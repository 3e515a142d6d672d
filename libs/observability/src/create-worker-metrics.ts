import { Counter, Gauge, type Histogram, Registry } from 'prom-client';
import { collectProcessMetrics } from './collect-process-metrics.js';
import { type RedisCommandMetrics, redisCommandMetrics, redisPingHistogram } from './redis-metrics.js';

/** Everything a worker counts; same naming and labelling rules as the edge's (see createMetrics). */
export interface WorkerMetrics {
  readonly registry: Registry;
  /** tidings_worker_redeliveries_total: devices an ack event was sent to again. */
  readonly redeliveriesTotal: Counter<never>;
  /** tidings_worker_dead_receipts_total: devices that never answered, after every retry or the deadline. */
  readonly deadTotal: Counter<never>;
  /** tidings_worker_jobs_total{queue=receipts|deadletters|maintenance, outcome=completed|rescheduled|failed} */
  readonly jobsTotal: Counter<'queue' | 'outcome'>;
  /** tidings_worker_dead_letters_total{outcome=sent|failed|skipped}: webhook calls, by outcome. */
  readonly deadLettersTotal: Counter<'outcome'>;
  /** tidings_worker_consumer_group_dead_letters_total{outcome=sent|failed|trimmed}: consumer groups' dead letters, by webhook outcome (trimmed: the dead-letter stream's cap removed it unsent). */
  readonly groupDeadLettersTotal: Counter<'outcome'>;
  /** tidings_consumer_group_lag_events{channel,group}: events of the channel the group has not read yet (no series while Redis cannot tell). Only for groups.lagMetrics. */
  readonly groupLag: Gauge<'channel' | 'group'>;
  /** tidings_consumer_group_pending_events{channel,group}: events handed out and not acknowledged yet. Only for groups.lagMetrics. */
  readonly groupPending: Gauge<'channel' | 'group'>;
  /** tidings_worker_requeued_jobs_total: ack events whose lost job the reconciler queued again. */
  readonly requeuedTotal: Counter<never>;
  /** tidings_worker_queue_jobs{queue, state=waiting|delayed|active|failed}: BullMQ queue depth, read at each scrape. */
  readonly queueJobs: Gauge<'queue' | 'state'>;
  /** tidings_redis_ping_duration_seconds: PING round trips on the command connection, every few seconds. */
  readonly redisPing: Histogram<never>;
  /** tidings_redis_command_duration_seconds{command} (sampled) and tidings_redis_command_errors_total{command}. */
  readonly redisCommands: RedisCommandMetrics;
  /** tidings_redis_errors_total{connection=commands|jobs} */
  readonly redisErrorsTotal: Counter<'connection'>;
  /** tidings_worker_pruned_total{kind}: what the pruner removed. */
  readonly prunedTotal: Counter<'kind'>;
  render(): Promise<string>;
  readonly contentType: string;
}

const QUEUES = ['receipts', 'deadletters', 'maintenance'];
const JOB_OUTCOMES = ['completed', 'rescheduled', 'failed'];
const DEAD_LETTER_OUTCOMES = ['sent', 'failed', 'skipped'];
export const QUEUE_STATES = ['waiting', 'delayed', 'active', 'failed'] as const;
const WORKER_REDIS_CONNECTIONS = ['commands', 'jobs'];
const GROUP_DEAD_LETTER_OUTCOMES = ['sent', 'failed', 'trimmed'];

export function createWorkerMetrics(workerId: string, pruneKinds: readonly string[]): WorkerMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ worker: workerId });
  collectProcessMetrics(registry);
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Counter<L>({ name, help, labelNames, registers });

  const jobsTotal = counter('tidings_worker_jobs_total', 'Jobs run by this worker, by queue and outcome.', ['queue', 'outcome']);
  for (const queue of QUEUES) for (const outcome of JOB_OUTCOMES) jobsTotal.inc({ queue, outcome }, 0);
  const deadLettersTotal = counter('tidings_worker_dead_letters_total', 'Dead-letter webhook calls, by outcome.', ['outcome']);
  for (const outcome of DEAD_LETTER_OUTCOMES) deadLettersTotal.inc({ outcome }, 0);
  const groupDeadLettersTotal = counter('tidings_worker_consumer_group_dead_letters_total', "Consumer groups' dead letters, by webhook outcome.", ['outcome']);
  for (const outcome of GROUP_DEAD_LETTER_OUTCOMES) groupDeadLettersTotal.inc({ outcome }, 0);
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Gauge<L>({ name, help, labelNames, registers });
  const prunedTotal = counter('tidings_worker_pruned_total', 'Keys and entries removed by the pruner, by kind.', ['kind']);
  for (const kind of pruneKinds) prunedTotal.inc({ kind }, 0);
  const redisErrorsTotal = counter('tidings_redis_errors_total', 'Errors talking to Redis (refused, reset or timed-out connections, failed resubscribes, malformed messages), by connection.', ['connection']);
  for (const connection of WORKER_REDIS_CONNECTIONS) redisErrorsTotal.inc({ connection }, 0);

  return {
    registry,
    redeliveriesTotal: counter<never>('tidings_worker_redeliveries_total', 'Devices an ack event was sent to again.', []),
    deadTotal: counter<never>('tidings_worker_dead_receipts_total', 'Devices that never answered an ack event (retries spent or deadline passed).', []),
    jobsTotal,
    deadLettersTotal,
    groupDeadLettersTotal,
    groupLag: gauge('tidings_consumer_group_lag_events', 'Events of the channel a consumer group has not read yet.', ['channel', 'group']),
    groupPending: gauge('tidings_consumer_group_pending_events', 'Events handed to consumers of a group and not acknowledged yet.', ['channel', 'group']),
    queueJobs: gauge('tidings_worker_queue_jobs', 'Jobs in the BullMQ queues, by queue and state, read at each scrape.', ['queue', 'state']),
    redisErrorsTotal,
    redisPing: redisPingHistogram(registers),
    redisCommands: redisCommandMetrics(registers),
    requeuedTotal: counter<never>('tidings_worker_requeued_jobs_total', 'Ack events whose lost job the reconciler queued again.', []),
    prunedTotal,
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
