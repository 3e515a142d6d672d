/**
 * What was published (answered 201, or 200 for a repeated idempotency key) against what each
 * durable subscriber received, per channel: the bookkeeping of every fault scenario.
 */

export interface SubscriberTally {
  readonly subscriber: string;
  readonly channel: string;
  /** Published in the channel and never received. */
  readonly missing: number;
  /** Received more than once (the extra copies). */
  readonly duplicated: number;
  /** Received for the first time after a newer event of the same channel. */
  readonly outOfOrder: number;
}

export interface DeliveryReport {
  readonly published: number;
  readonly subscribers: number;
  /** Device-and-event pairs: an event some device never received counts once per such device. */
  readonly missing: number;
  /** Events (that got a 201) at least one device never received. */
  readonly missingEvents: number;
  readonly duplicated: number;
  readonly outOfOrder: number;
  /** `reset` notices subscribers got (a loss they were told of). */
  readonly resets: number;
  /** Only the pairs with something wrong. */
  readonly faults: readonly SubscriberTally[];
}

/** Where a subscriber's deliveries are recorded. */
export interface Receiver {
  received(channel: string, id: string): void;
  reset(channel: string): void;
}

export class DeliveryLedger {
  /** Publish-to-arrival times of first arrivals: [publish time (the id's), ms taken]. */
  private readonly delays: [number, number][] = [];
  private readonly published = new Map<string, Set<string>>();
  private readonly receivers = new Map<string, LedgerReceiver>();

  recordPublished(channel: string, id: string): void {
    let ids = this.published.get(channel);
    if (!ids) this.published.set(channel, (ids = new Set()));
    ids.add(id);
  }

  /** The ids published in `channel` (201 or 200 answers). */
  publishedIds(channel: string): ReadonlySet<string> {
    return this.published.get(channel) ?? new Set();
  }

  /** Ids some subscriber of `channel` never received. */
  missingIds(channel: string): Set<string> {
    const missing = new Set<string>();
    for (const receiver of this.receivers.values()) {
      if (!receiver.channels.includes(channel)) continue;
      const got = receiver.seen.get(channel);
      for (const id of this.publishedIds(channel)) if (!got?.has(id)) missing.add(id);
    }
    return missing;
  }

  get publishedCount(): number {
    let count = 0;
    for (const ids of this.published.values()) count += ids.size;
    return count;
  }

  /** A subscriber that follows `channels` from before the first publish. */
  receiver(subscriber: string, channels: readonly string[]): Receiver {
    const receiver = new LedgerReceiver(channels, (publishedAt) => this.delays.push([publishedAt, Date.now() - publishedAt]));
    this.receivers.set(subscriber, receiver);
    return receiver;
  }

  /** p50 and p99 of the time from publish (the id's time: Redis runs on this host) to first arrival, for events published in [from, to). */
  delay(from = 0, to = Infinity): { p50: number; p99: number; samples: number } {
    const taken = this.delays.filter(([at]) => at >= from && at < to).map(([, ms]) => ms);
    return { ...percentiles(taken), samples: taken.length };
  }

  /** Whether every subscriber has every published event of its channels. */
  complete(): boolean {
    for (const receiver of this.receivers.values()) {
      for (const channel of receiver.channels) {
        const got = receiver.seen.get(channel);
        for (const id of this.published.get(channel) ?? []) if (!got?.has(id)) return false;
      }
    }
    return true;
  }

  report(): DeliveryReport {
    const faults: SubscriberTally[] = [];
    let missing = 0;
    let duplicated = 0;
    let outOfOrder = 0;
    let resets = 0;
    for (const [subscriber, receiver] of this.receivers) {
      resets += receiver.resets;
      for (const channel of receiver.channels) {
        const got = receiver.seen.get(channel) ?? new Set<string>();
        let lost = 0;
        for (const id of this.published.get(channel) ?? []) if (!got.has(id)) lost += 1;
        const tally = { subscriber, channel, missing: lost, duplicated: receiver.duplicates.get(channel) ?? 0, outOfOrder: receiver.late.get(channel) ?? 0 };
        missing += tally.missing;
        duplicated += tally.duplicated;
        outOfOrder += tally.outOfOrder;
        if (tally.missing + tally.duplicated + tally.outOfOrder > 0) faults.push(tally);
      }
    }
    let missingEvents = 0;
    for (const channel of this.published.keys()) missingEvents += this.missingIds(channel).size;
    return { published: this.publishedCount, subscribers: this.receivers.size, missing, missingEvents, duplicated, outOfOrder, resets, faults };
  }
}

class LedgerReceiver implements Receiver {
  readonly seen = new Map<string, Set<string>>();
  readonly newest = new Map<string, string>();
  readonly duplicates = new Map<string, number>();
  readonly late = new Map<string, number>();
  resets = 0;

  constructor(
    readonly channels: readonly string[],
    private readonly arrived: (publishedAt: number) => void,
  ) {}

  received(channel: string, id: string): void {
    let ids = this.seen.get(channel);
    if (!ids) this.seen.set(channel, (ids = new Set()));
    if (ids.has(id)) {
      this.duplicates.set(channel, (this.duplicates.get(channel) ?? 0) + 1);
      return;
    }
    ids.add(id);
    this.arrived(Number(id.split('-')[0]));
    const newest = this.newest.get(channel);
    if (newest !== undefined && compareIds(id, newest) < 0) this.late.set(channel, (this.late.get(channel) ?? 0) + 1);
    else this.newest.set(channel, id);
  }

  reset(): void {
    this.resets += 1;
  }
}

/** Stream ids `<ms>-<seq>` compared as numbers. */
export function compareIds(a: string, b: string): number {
  const [ams = 0, aseq = 0] = a.split('-').map(Number);
  const [bms = 0, bseq = 0] = b.split('-').map(Number);
  return ams - bms || aseq - bseq;
}

/** The 50th and 99th percentiles (nearest rank) of `values`, which it sorts; 0 for none. */
export function percentiles(values: number[]): { p50: number; p99: number } {
  const sorted = values.sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99) };
}
