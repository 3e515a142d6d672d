import { QUEUE_STATES, type WorkerMetrics } from '@tidings/observability';
import type { Queue } from 'bullmq';

/**
 * BullMQ queue depth for /metrics, read when scraped (a few cheap counting commands per queue)
 * rather than kept up to date on every job.
 */
export class QueueGauges {
  constructor(
    private readonly queues: readonly Queue[],
    private readonly metrics: WorkerMetrics,
  ) {}

  async refresh(): Promise<void> {
    await Promise.all(
      this.queues.map(async (queue) => {
        const counts = await queue.getJobCounts(...QUEUE_STATES);
        for (const state of QUEUE_STATES) this.metrics.queueJobs.set({ queue: queue.name, state }, counts[state] ?? 0);
      }),
    );
  }
}
