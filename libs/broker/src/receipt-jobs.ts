import { Queue } from 'bullmq';
import type { StreamId } from '@tidings/protocol';
import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';

/** BullMQ queue names (no ':' allowed); their keys live under RedisKeys.jobsPrefix(). */
export const RECEIPTS_QUEUE = 'receipts';
export const DEAD_LETTERS_QUEUE = 'deadletters';

/** The job that chases one ack event's receipts until every device has answered or is dead. */
export interface ReceiptJobData {
  readonly channel: string;
  readonly id: StreamId;
}

/**
 * One job per ack event, whoever queues it (the publishing edge, or the reconciler after a
 * crash): BullMQ ignores an add whose id exists. Channel names may hold ':', which job ids may
 * not, hence base64url.
 */
export function receiptJobId(channel: string, id: StreamId): string {
  return `ack.${Buffer.from(channel).toString('base64url')}.${id}`;
}

/** The producer side, used by edges right after an ack event is appended. */
export class ReceiptJobQueue {
  private readonly queue: Queue<ReceiptJobData>;

  constructor(connection: RedisClient, keys: RedisKeys, onError: (error: unknown) => void) {
    this.queue = new Queue<ReceiptJobData>(RECEIPTS_QUEUE, { connection, prefix: keys.jobsPrefix() });
    // BullMQ checks the server on first use; doing it now keeps that off the first ack publish.
    this.queue.waitUntilReady().catch(onError);
  }

  async schedule(channel: string, id: StreamId): Promise<void> {
    await this.queue.add('receipts', { channel, id }, receiptJobOptions(channel, id));
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/** Completed jobs are removed, so a later add with the same id (the reconciler's) is not ignored for good. */
export function receiptJobOptions(channel: string, id: StreamId) {
  return { jobId: receiptJobId(channel, id), removeOnComplete: true, removeOnFail: 10_000 } as const;
}
