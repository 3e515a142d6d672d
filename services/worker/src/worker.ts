import {
  createJobsConnection,
  createRedisClient,
  DEAD_LETTERS_QUEUE,
  RECEIPTS_QUEUE,
  type ReceiptJobData,
  type RedisClient,
  RedisEventLog,
  RedisKeys,
  RedisConsumerGroups,
  RedisGroupDeadLetters,
  RedisPruning,
  RedisPingProbe,
  timeRedisCommands,
  RedisReceiptRetries,
} from '@tidings/broker';
import { splitGroupRef, type WorkerConfig } from '@tidings/config';
import { type Logger, type WorkerMetrics, startOpsServer } from '@tidings/observability';
import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import { type DeadLetterJobData, DeadLetters } from './dead-letters.js';
import { GroupDeadLetterSender } from './group-dead-letter-sender.js';
import { GroupGauges } from './group-gauges.js';
import { Pruner } from './pruner.js';
import { QueueGauges } from './queue-gauges.js';
import { ReceiptChaser } from './receipt-chaser.js';
import { Reconciler } from './reconciler.js';

/** Periodic jobs (BullMQ job schedulers: one run per period across all workers). */
const MAINTENANCE_QUEUE = 'maintenance';
/**
 * A scheduler adds a maintenance job every period forever: keep only the last few finished ones
 * (enough to look at), or the queue's keys would grow by one job per period without end.
 */
const MAINTENANCE_JOBS_KEPT = { removeOnComplete: 10, removeOnFail: 10 } as const;

const REDIS_PING_EVERY_MS = 5000;
/** One Redis command in this many is timed; every error is counted. */
const REDIS_COMMAND_SAMPLE_EVERY = 8;
/** Edge-node reports are kept this many presence TTLs after the node's last report. */
const DEAD_NODE_TTLS = 10;

export interface RunningWorker {
  /** Port of the /metrics, /healthz, /readyz server. */
  readonly port: number;
  /** Lets running jobs finish (a job cut off is taken over by another worker after the lock expires). */
  stop(): Promise<void>;
}

export class EvictionPolicyError extends Error {}

/** The composition root of a worker: the one place that knows every concrete class. */
export async function startWorker(config: WorkerConfig, logger: Logger, metrics: WorkerMetrics): Promise<RunningWorker> {
  const keys = new RedisKeys();
  const name = `tidings-worker:${config.workerId}`;
  const redis = createRedisClient(config.redis, name);
  redis.on('error', (error: unknown) => {
    metrics.redisErrorsTotal.inc({ connection: 'commands' });
    logger.warn({ err: error }, 'redis connection error');
  });
  await requireNoEviction(redis, config.allowEviction, logger);
  timeRedisCommands(redis, metrics.redisCommands, REDIS_COMMAND_SAMPLE_EVERY);
  const ping = new RedisPingProbe(redis, (seconds) => metrics.redisPing.observe(seconds), REDIS_PING_EVERY_MS);
  ping.start();
  const jobsConnection = createJobsConnection(config.redis, `${name}:jobs`);
  jobsConnection.on('error', (error: unknown) => {
    metrics.redisErrorsTotal.inc({ connection: 'jobs' });
    logger.warn({ err: error }, 'redis jobs connection error');
  });

  const prefix = keys.jobsPrefix();
  const retries = new RedisReceiptRetries(redis, keys);
  const log = new RedisEventLog({ redis, keys, retention: config.retention });
  const receiptsQueue = new Queue<ReceiptJobData>(RECEIPTS_QUEUE, { connection: redis, prefix });
  const deadLetterQueue = new Queue<DeadLetterJobData>(DEAD_LETTERS_QUEUE, { connection: redis, prefix });
  const maintenanceQueue = new Queue(MAINTENANCE_QUEUE, { connection: redis, prefix });
  const { url, secret } = config.webhook;
  const target = url && secret ? { ...config.webhook, url, secret } : undefined;
  const deadLetters = target ? new DeadLetters(deadLetterQueue, target, retries, log, metrics, logger) : undefined;
  const groups = new RedisConsumerGroups(redis, keys);
  const groupLetters = target ? new GroupDeadLetterSender(groups, new RedisGroupDeadLetters(redis, keys), target, metrics, logger) : undefined;
  const groupGauges = new GroupGauges(groups, config.groups.lagMetrics.map(splitGroupRef), metrics, logger);
  const { receipts } = config;
  const chaser = new ReceiptChaser(
    retries,
    {
      ackTimeoutMs: receipts.ackTimeoutSeconds * 1000,
      maxRetries: receipts.maxRetries,
      backoffBaseMs: receipts.backoffBaseSeconds * 1000,
      backoffMaxMs: receipts.backoffMaxSeconds * 1000,
      deadlineMs: receipts.deadlineSeconds * 1000,
    },
    deadLetters,
    metrics,
    logger,
  );
  const reconciler = new Reconciler(retries, receiptsQueue, config.jobs.reconcileSeconds * 1000, metrics, logger);
  const pruner = new Pruner(
    new RedisPruning(redis, keys),
    { maxAgeMs: config.retention.maxAgeSeconds * 1000, maxLength: config.retention.maxLength, memberIdleMs: config.membership.idleSeconds * 1000, presenceTtlMs: config.presence.ttlSeconds * 1000 },
    config.presence.ttlSeconds * 1000 * DEAD_NODE_TTLS,
    metrics,
    logger,
  );

  const queueGauges = new QueueGauges([receiptsQueue, deadLetterQueue, maintenanceQueue], metrics);

  const lockDuration = config.jobs.lockSeconds * 1000;
  const workerOptions = {
    connection: jobsConnection,
    prefix,
    lockDuration,
    stalledInterval: lockDuration,
    // Every job here is safe to run again, so a job whose worker died is always taken over,
    // however often that happens (BullMQ's default fails it after one stall).
    maxStalledCount: 1_000_000,
  };
  const workers = [
    new Worker<ReceiptJobData>(
      RECEIPTS_QUEUE,
      async (job, token) => {
        const nextDueAt = await chaser.run(job.data.channel, job.data.id);
        if (nextDueAt === undefined) return;
        await job.moveToDelayed(Math.max(nextDueAt, Date.now()), token);
        throw new DelayedError(); // tells BullMQ the job is parked, not finished
      },
      { ...workerOptions, concurrency: config.jobs.concurrency },
    ),
    new Worker<DeadLetterJobData>(DEAD_LETTERS_QUEUE, async (job) => deadLetters?.send(job.data, job.id ?? ''), { ...workerOptions, concurrency: 4 }),
    new Worker(
      MAINTENANCE_QUEUE,
      async (job) => {
        if (job.name === 'reconcile') logger.debug(await reconciler.run(), 'reconciled');
        else if (job.name === 'prune') await pruner.run();
        else if (job.name === 'group-dead-letters') await groupLetters?.run();
      },
      workerOptions,
    ),
  ];
  for (const worker of workers) {
    const queue = worker.name;
    worker.on('completed', () => metrics.jobsTotal.inc({ queue, outcome: 'completed' }));
    worker.on('failed', (job: Job | undefined, error: Error) => {
      if (error instanceof DelayedError || error.name === 'DelayedError') {
        metrics.jobsTotal.inc({ queue, outcome: 'rescheduled' });
        return;
      }
      metrics.jobsTotal.inc({ queue, outcome: 'failed' });
      logger.warn({ err: error, queue, job: job?.id, attempts: job?.attemptsMade }, 'job failed');
    });
    worker.on('error', (error: unknown) => logger.warn({ err: error, queue }, 'worker problem'));
  }
  await maintenanceQueue.upsertJobScheduler('reconcile', { every: config.jobs.reconcileSeconds * 1000 }, { name: 'reconcile', opts: MAINTENANCE_JOBS_KEPT });
  await maintenanceQueue.upsertJobScheduler('prune', { every: config.prune.intervalSeconds * 1000 }, { name: 'prune', opts: MAINTENANCE_JOBS_KEPT });
  // A worker without a webhook that picks this job up does nothing: the letters stay unsent in Redis.
  if (groupLetters) {
    await maintenanceQueue.upsertJobScheduler('group-dead-letters', { every: config.groups.deadLetterScanSeconds * 1000 }, { name: 'group-dead-letters', opts: MAINTENANCE_JOBS_KEPT });
  }

  const server = await startOpsServer(config.metrics.host, config.metrics.port, {
    metrics: async () => {
      await Promise.all([groupGauges.refresh(), queueGauges.refresh()]);
      return metrics.render();
    },
    contentType: metrics.contentType,
    readiness: () => {
      const ready = redis.status === 'ready' && workers.every((w) => w.isRunning());
      return { ready, status: ready ? 'ready' : 'not ready' };
    },
  });

  return {
    port: server.port,
    async stop() {
      ping.stop();
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([receiptsQueue.close(), deadLetterQueue.close(), maintenanceQueue.close()]);
      await server.close();
      await Promise.all([jobsConnection.quit(), redis.quit()].map((p) => p.catch((error: unknown) => logger.warn({ err: error }, 'redis did not close cleanly'))));
    },
  };
}

/** BullMQ loses jobs under eviction: refuse to start on an evicting Redis unless told otherwise. */
async function requireNoEviction(redis: RedisClient, allowEviction: boolean, logger: Logger): Promise<void> {
  let policy: string | undefined;
  try {
    policy = ((await redis.config('GET', 'maxmemory-policy')) as string[])[1];
  } catch (error) {
    logger.warn({ err: error }, 'could not read Redis maxmemory-policy (CONFIG may be disabled); make sure it is noeviction');
    return;
  }
  if (!policy || policy === 'noeviction') return;
  const message = `Redis maxmemory-policy is ${policy}: Redis may evict jobs and receipts silently. Set it to noeviction, or pass --allow-eviction to run anyway.`;
  if (!allowEviction) throw new EvictionPolicyError(message);
  logger.warn({ policy }, message);
}
