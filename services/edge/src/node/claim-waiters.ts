import type { EventBatch, FeedListener, Hub } from '@tidings/core';

interface Waiting {
  readonly wake: () => void;
}

/** The claims waiting on one channel, and the feed listener that wakes them. */
class ChannelWaiters implements FeedListener {
  readonly waiting = new Set<Waiting>();

  onFeedEvents(_batch: EventBatch): void {
    this.wakeAll();
  }

  onFeedDetached(): void {
    this.wakeAll(); // the feed skipped ahead: let each claim look for itself
  }

  private wakeAll(): void {
    for (const waiting of [...this.waiting]) waiting.wake();
  }
}

/**
 * Long-polling claims of consumer groups, woken by the node's live feed of their channel (one
 * Redis subscription per channel per node, as for subscribers) — never a blocking XREADGROUP on a
 * shared connection — or by their timer, so that events whose visibility timeout ran out are seen.
 */
export class ClaimWaiters {
  private readonly channels = new Map<string, ChannelWaiters>();

  constructor(private readonly hub: Hub) {}

  /** Resolves when an event arrived on `channel`, or after `ms`. */
  async wait(channel: string, ms: number): Promise<void> {
    let waiters = this.channels.get(channel);
    if (!waiters) {
      waiters = new ChannelWaiters();
      this.channels.set(channel, waiters);
      try {
        (await this.hub.attachChannel(channel)).attach(waiters);
      } catch (error) {
        this.channels.delete(channel);
        throw error;
      }
    }
    const current = waiters;
    await new Promise<void>((resolve) => {
      const waiting: Waiting = {
        wake: () => {
          clearTimeout(timer);
          current.waiting.delete(waiting);
          resolve();
        },
      };
      const timer = setTimeout(waiting.wake, ms);
      current.waiting.add(waiting);
    });
    if (current.waiting.size === 0 && this.channels.get(channel) === current) {
      this.channels.delete(channel);
      this.hub.feed(channel)?.detach(current);
      this.hub.detachChannel(channel);
    }
  }
}
