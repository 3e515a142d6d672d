import type { RedisConsumerGroups, RedisGroupDeadLetters } from '@tidings/broker';
import type { Logger, WorkerMetrics } from '@tidings/observability';
import { postWebhook, type WebhookTarget } from './webhook.js';

/** Groups looked at per pass; more are looked at by later passes as the index scan order allows. */
const GROUPS_PER_PASS = 10_000;
const LETTERS_PER_POST = 100;

/**
 * Consumer groups' dead letters to the webhook: one pass over every group, a signed POST per
 * hundred letters waiting, run as a job scheduler (once per period across all workers). A letter
 * counts as sent only after a 2xx, so a receiver that is down gets it on a later pass: at least
 * once, with the same tidings-delivery id each time.
 */
export class GroupDeadLetterSender {
  constructor(
    private readonly groups: RedisConsumerGroups,
    private readonly letters: RedisGroupDeadLetters,
    private readonly target: WebhookTarget,
    private readonly metrics: WorkerMetrics,
    private readonly logger: Logger,
  ) {}

  async run(): Promise<number> {
    let sent = 0;
    for (const { channel, group } of await this.groups.all(GROUPS_PER_PASS)) {
      try {
        sent += await this.sendGroup(channel, group);
      } catch (error) {
        this.metrics.groupDeadLettersTotal.inc({ outcome: 'failed' });
        this.logger.warn({ err: error, channel, group }, 'group dead letters not sent; trying again next pass');
      }
    }
    return sent;
  }

  private async sendGroup(channel: string, group: string): Promise<number> {
    let sent = 0;
    for (;;) {
      const { letters, trimmed } = await this.letters.unsent(channel, group, LETTERS_PER_POST);
      if (trimmed > 0) {
        this.metrics.groupDeadLettersTotal.inc({ outcome: 'trimmed' }, trimmed);
        this.logger.warn({ channel, group, trimmed }, 'group dead letters dropped by the dead-letter cap before they were sent');
      }
      if (letters.length === 0) return sent;
      const body = JSON.stringify({
        type: 'tidings.group_dead_letters',
        channel,
        group,
        events: letters.map(({ id, event, data, deliveries, deadAt }) => ({ id, event, data: JSON.parse(data) as unknown, deliveries, deadAt })),
      });
      await postWebhook(this.target, body, `group.${Buffer.from(channel).toString('base64url')}.${group}.${letters[0]!.deadId}`);
      await this.letters.markSent(channel, group, letters.map((l) => l.deadId));
      this.metrics.groupDeadLettersTotal.inc({ outcome: 'sent' }, letters.length);
      this.logger.info({ channel, group, letters: letters.length }, 'group dead letters sent');
      sent += letters.length;
      if (letters.length < LETTERS_PER_POST) return sent;
    }
  }
}
