import type { Logger, MetricsSnapshot } from '@tidings/observability';
import { TidingsError } from '@tidings/protocol';
import { type MemberMessage, readSupervisorMessage } from './group-messages.js';

/** The IPC channel a forked process has to its parent (`process` in a member). */
export interface ParentChannel {
  send?(message: unknown, callback: (error: Error | null) => void): boolean;
  readonly connected?: boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  once(event: 'disconnect', listener: () => void): unknown;
}

interface PendingScrape {
  resolve(text: string): void;
  reject(error: Error): void;
  readonly timer: NodeJS.Timeout;
}

/**
 * A member's side of the group protocol: says when it serves, hands its metrics to the supervisor
 * when asked, and asks the supervisor for the group's metrics when a scrape lands here.
 */
export class SupervisorLink {
  private lastId = 0;
  private readonly pending = new Map<number, PendingScrape>();

  constructor(
    private readonly channel: ParentChannel,
    private readonly snapshot: () => Promise<MetricsSnapshot>,
    private readonly logger: Logger,
    /** Longest a scrape waits for the supervisor; above the supervisor's own wait for members. */
    private readonly scrapeTimeoutMs: number,
  ) {
    channel.on('message', (message) => void this.receive(message));
    channel.once('disconnect', () => {
      for (const [id, scrape] of this.pending) this.settle(id, scrape, new TidingsError('TIDINGS_UNAVAILABLE', 'the edge group\'s supervisor is gone'));
    });
  }

  /** Calls `then` when the supervisor is gone (it ended, however): a member must not outlive it. */
  onSupervisorGone(then: () => void): void {
    this.channel.once('disconnect', then);
  }

  ready(port: number): void {
    this.send({ type: 'ready', port });
  }

  /** The group's metrics as Prometheus text; rejects with TIDINGS_UNAVAILABLE when the supervisor does not answer in time. */
  scrape(): Promise<string> {
    const id = ++this.lastId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const scrape = this.pending.get(id);
        if (scrape) this.settle(id, scrape, new TidingsError('TIDINGS_UNAVAILABLE', 'the edge group did not answer with its metrics in time'));
      }, this.scrapeTimeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.send({ type: 'scrape', id });
    });
  }

  private async receive(raw: unknown): Promise<void> {
    const message = readSupervisorMessage(raw);
    if (message === undefined) {
      this.logger.warn('dropped a message from the supervisor that is not of the group protocol');
      return;
    }
    if (message.type === 'collect') {
      try {
        this.send({ type: 'snapshot', id: message.id, metrics: await this.snapshot() });
      } catch (error) {
        // The supervisor answers without this process and counts it.
        this.logger.error({ err: error }, 'could not read this process\'s metrics for the group');
      }
      return;
    }
    const scrape = this.pending.get(message.id);
    if (!scrape) return; // answered after this scrape timed out
    if (message.type === 'scraped') this.settle(message.id, scrape, message.text);
    else this.settle(message.id, scrape, new Error(`the edge group could not aggregate its metrics: ${message.reason}`));
  }

  private settle(id: number, scrape: PendingScrape, outcome: string | Error): void {
    clearTimeout(scrape.timer);
    this.pending.delete(id);
    if (typeof outcome === 'string') {
      scrape.resolve(outcome);
      return;
    }
    this.logger.warn({ err: outcome }, 'could not get the edge group\'s metrics for a scrape');
    scrape.reject(outcome);
  }

  private send(message: MemberMessage): void {
    if (!this.channel.send || this.channel.connected === false) return;
    this.channel.send(message, (error) => {
      // The supervisor is gone or going; 'disconnect' handles that.
      if (error) this.logger.debug({ err: error, type: message.type }, 'could not message the supervisor');
    });
  }
}
