import type { ClaimedEvent } from '@tidings/core';
import type { StreamId } from '@tidings/protocol';
import type { RedisClient } from './redis-client.js';
import { toEvent } from './redis-event-log.js';
import type { RedisKeys } from './redis-keys.js';

/** A consumer group's dead letter: the event, how often it was handed out, and when it went dead. */
export interface GroupDeadLetter extends ClaimedEvent {
  /** The letter's own id in the dead-letter stream (what markSent takes). */
  readonly deadId: StreamId;
  readonly deadAt: number;
}

/**
 * The webhook's side of consumer groups' dead letters: which ones it has not sent yet. The
 * claim script writes them (see group-claim.lua); this reads them with a consumer group of the
 * dead-letter stream's own, so a letter is sent at least once even if a worker dies mid-POST.
 */
export class RedisGroupDeadLetters {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** Up to `count` unsent letters (ones read before and never confirmed first); `trimmed`: lost to the stream's cap unsent. */
  async unsent(channel: string, group: string, count: number): Promise<{ letters: GroupDeadLetter[]; trimmed: number }> {
    const [entries, trimmed] = await this.redis.tidingsGroupDeadLettersUnsent(this.keys.deadLetters(channel, group), count);
    return { letters: entries.map(([deadId, fields]) => letter(channel, deadId, fields)), trimmed };
  }

  async markSent(channel: string, group: string, deadIds: readonly StreamId[]): Promise<void> {
    if (deadIds.length > 0) await this.redis.xack(this.keys.deadLetters(channel, group), 'webhook', ...deadIds);
  }
}

/** Fields as group-claim.lua writes them: 'id' (the event's), 'n' (deliveries), then the event's own. */
function letter(channel: string, deadId: StreamId, fields: readonly string[]): GroupDeadLetter {
  let id = '';
  let deliveries = 0;
  for (let i = 0; i < fields.length; i += 2) {
    if (fields[i] === 'id') id = fields[i + 1] ?? '';
    else if (fields[i] === 'n') deliveries = Number(fields[i + 1]);
  }
  return { ...toEvent(channel, id, fields), deliveries, deadId, deadAt: Number(deadId.slice(0, deadId.indexOf('-'))) };
}
