import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

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
  /** tidings_worker_requeued_jobs_total: ack events whose lost job the reconciler queued again. */
  readonly requeuedTotal: Counter<never>;
  /** tidings_worker_pruned_total{kind}: what the pruner removed. */
  readonly prunedTotal: Counter<'kind'>;
  render(): Promise<string>;
  readonly contentType: string;
}

const QUEUES = ['receipts', 'deadletters', 'maintenance'];
const JOB_OUTCOMES = ['completed', 'rescheduled', 'failed'];
const DEAD_LETTER_OUTCOMES = ['sent', 'failed', 'skipped'];

export function createWorkerMetrics(workerId: string, pruneKinds: readonly string[]): WorkerMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ worker: workerId });
  collectDefaultMetrics({ register: registry, prefix: 'tidings_' });
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Counter<L>({ name, help, labelNames, registers });

  const jobsTotal = counter('tidings_worker_jobs_total', 'Jobs run by this worker, by queue and outcome.', ['queue', 'outcome']);
  for (const queue of QUEUES) for (const outcome of JOB_OUTCOMES) jobsTotal.inc({ queue, outcome }, 0);
  const deadLettersTotal = counter('tidings_worker_dead_letters_total', 'Dead-letter webhook calls, by outcome.', ['outcome']);
  for (const outcome of DEAD_LETTER_OUTCOMES) deadLettersTotal.inc({ outcome }, 0);
  const prunedTotal = counter('tidings_worker_pruned_total', 'Keys and entries removed by the pruner, by kind.', ['kind']);
  for (const kind of pruneKinds) prunedTotal.inc({ kind }, 0);

  return {
    registry,
    redeliveriesTotal: counter<never>('tidings_worker_redeliveries_total', 'Devices an ack event was sent to again.', []),
    deadTotal: counter<never>('tidings_worker_dead_receipts_total', 'Devices that never answered an ack event (retries spent or deadline passed).', []),
    jobsTotal,
    deadLettersTotal,
    requeuedTotal: counter<never>('tidings_worker_requeued_jobs_total', 'Ack events whose lost job the reconciler queued again.', []),
    prunedTotal,
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
