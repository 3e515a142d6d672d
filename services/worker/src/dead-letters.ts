import { createHash } from 'node:crypto';
import type { ReceiptJobData, RedisEventLog, RedisReceiptRetries } from '@tidings/broker';
import type { Logger, WorkerMetrics } from '@tidings/observability';
import type { StreamId } from '@tidings/protocol';
import type { Queue } from 'bullmq';
import { postWebhook, type WebhookTarget } from './webhook.js';

export interface DeadLetterJobData extends ReceiptJobData {
  readonly devices: readonly string[];
}

/** Gives the round's own writes time to land before the first look (see send). */
const FIRST_LOOK_DELAY_MS = 1000;

/**
 * Dead letters: devices that never answered an ack event, POSTed to the configured webhook with
 * an HMAC signature, through BullMQ so a webhook that is down gets the letter later.
 */
export class DeadLetters {
  constructor(
    private readonly queue: Queue<DeadLetterJobData>,
    private readonly target: WebhookTarget,
    private readonly retries: RedisReceiptRetries,
    private readonly log: RedisEventLog,
    private readonly metrics: WorkerMetrics,
    private readonly logger: Logger,
  ) {}

  /** Queues a letter for devices about to be declared dead. The same announcement twice is one job. */
  async announce(channel: string, id: StreamId, devices: readonly string[]): Promise<void> {
    const sorted = [...devices].sort();
    const digest = createHash('sha256').update(sorted.join(' ')).digest('base64url').slice(0, 22);
    await this.queue.add(
      'dead-letter',
      { channel, id, devices: sorted },
      {
        jobId: `dead.${Buffer.from(channel).toString('base64url')}.${id}.${digest}`,
        delay: FIRST_LOOK_DELAY_MS,
        attempts: this.target.maxAttempts,
        backoff: { type: 'exponential', delay: 2000 },
        removeOnComplete: true,
        removeOnFail: 10_000,
      },
    );
  }

  /**
   * Sends a letter for the devices that are dead now. One still open means the round that
   * announced it has not been applied yet (or crashed and will be re-run): try again later.
   * One that answered meanwhile is left out.
   */
  async send(job: DeadLetterJobData, deliveryId: string): Promise<void> {
    const receipts = await this.retries.receipts(job.channel, job.id, job.devices);
    if (receipts.some((r) => r.state === 'pending' || r.state === 'delivered')) {
      throw new Error(`dead letter for ${job.channel} ${job.id} waits for its retry round to be applied`);
    }
    const dead = receipts.filter((r) => r.state === 'dead');
    if (dead.length === 0) {
      this.metrics.deadLettersTotal.inc({ outcome: 'skipped' });
      return;
    }
    const event = await this.log.read(job.channel, job.id);
    const body = JSON.stringify({
      type: 'tidings.dead_letters',
      channel: job.channel,
      id: job.id,
      ...(event ? { event: event.event, data: JSON.parse(event.data) as unknown } : {}),
      devices: dead.map(({ device, attempts, retries, deliveredAt, deadAt }) => ({ device, attempts, retries, deliveredAt, deadAt })),
    });
    try {
      await postWebhook(this.target, body, deliveryId);
    } catch (error) {
      // Each failed call counts; BullMQ tries again with backoff until the job's attempts are spent.
      this.metrics.deadLettersTotal.inc({ outcome: 'failed' });
      throw error;
    }
    this.metrics.deadLettersTotal.inc({ outcome: 'sent' });
    this.logger.info({ channel: job.channel, id: job.id, devices: dead.length }, 'dead letters sent');
  }
}
