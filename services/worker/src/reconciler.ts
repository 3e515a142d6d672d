import { type ReceiptJobData, receiptJobId, receiptJobOptions, type RedisReceiptRetries } from '@tidings/broker';
import type { Logger, WorkerMetrics } from '@tidings/observability';
import type { Queue } from 'bullmq';

const CHANNELS_PER_SCAN = 500;
const EVENTS_PER_CHANNEL = 1000;
/**
 * A channel without ack events for this many reconcile periods leaves the reconciler's list. An
 * edge stamps the list just before it appends, so a stamp without its event yet is normal for a
 * moment; ten periods is far past that moment, and short enough that the list stays the size of
 * recent traffic.
 */
const FORGET_CHANNEL_AFTER_PERIODS = 10;

/**
 * The safety net behind "every ack event ends acked or dead": an edge that dies between storing
 * an ack event and queueing its job, or a job lost with its queue (a Redis failover), leaves the
 * event in its channel's open set with nobody chasing it. This finds such events and queues
 * their job again; BullMQ ignores the add when the job exists.
 */
export class Reconciler {
  constructor(
    private readonly retries: RedisReceiptRetries,
    private readonly queue: Queue<ReceiptJobData>,
    /** How late an event's round may be before its job counts as lost. */
    private readonly graceMs: number,
    private readonly metrics: WorkerMetrics,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async run(): Promise<{ channels: number; requeued: number; forgotten: number }> {
    let cursor = '0';
    let channels = 0;
    let requeued = 0;
    let forgotten = 0;
    const now = this.now();
    do {
      const page = await this.retries.ackChannels(cursor, CHANNELS_PER_SCAN);
      cursor = page.next;
      for (const { channel, lastAckAt } of page.channels) {
        channels += 1;
        const overdue = await this.retries.overdue(channel, now - this.graceMs, EVENTS_PER_CHANNEL);
        for (const id of overdue) {
          if (await this.queue.getJob(receiptJobId(channel, id))) continue; // queued, just behind
          await this.queue.add('receipts', { channel, id }, receiptJobOptions(channel, id));
          requeued += 1;
        }
        if (overdue.length === 0 && lastAckAt < now - FORGET_CHANNEL_AFTER_PERIODS * this.graceMs && (await this.retries.forgetAckChannel(channel, lastAckAt))) forgotten += 1;
      }
    } while (cursor !== '0');
    this.metrics.requeuedTotal.inc(requeued);
    if (requeued > 0) this.logger.warn({ requeued }, 'queued jobs again for ack events nobody was chasing');
    return { channels, requeued, forgotten };
  }
}
