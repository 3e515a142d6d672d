import type { EventBatch, LogGap, LoggedEvent, SubscriptionSink } from '@tidings/core';
import type { RedeliveryTarget } from '../node/device-tracker.js';

/**
 * One long-poll request: collects what the subscription delivers (and the worker's redeliveries
 * while it waits), and asks for the answer once something arrived and the subscription has
 * started. A reset or redelivery can come first, while the subscription still reads where its
 * channels stand; an answer then would carry a cursor naming no channel, and the next poll would
 * start from that moment, skipping what came in between.
 */
export class PollSink implements SubscriptionSink, RedeliveryTarget {
  get owedOnConnect(): false {
    return false;
  }
  readonly collected: LoggedEvent[] = [];
  readonly redelivered: LoggedEvent[] = [];
  readonly resets: LogGap[] = [];
  onFailure: (error: unknown) => void = () => undefined;
  private scheduled = false;
  private started = false;

  constructor(
    private readonly pageLimit: number,
    private readonly answer: () => void,
  ) {}

  events(batch: EventBatch): void {
    // Never refuse an event the subscription counted as delivered: the cursor would skip it.
    this.collected.push(...batch.events);
    this.soon();
  }

  redeliver(event: LoggedEvent): void {
    if (this.redelivered.length < this.pageLimit) this.redelivered.push(event); // the rest come next round
    this.soon();
  }

  reset(gap: LogGap): void {
    this.resets.push(gap);
    this.soon();
  }

  congestion(): Promise<void> | null {
    // A full page stops further reads; the answer goes out and the client asks again.
    return this.collected.length >= this.pageLimit ? new Promise<void>(() => undefined) : null;
  }

  failed(error: unknown): void {
    this.onFailure(error);
  }

  /** The subscription's cursor now covers every channel: an answer may go. */
  subscriptionStarted(): void {
    this.started = true;
    if (this.collected.length > 0 || this.redelivered.length > 0 || this.resets.length > 0) this.soon();
  }

  /** Answers on the next turn, so events that arrive together travel together. */
  private soon(): void {
    if (this.scheduled || !this.started) return;
    this.scheduled = true;
    setImmediate(this.answer);
  }
}
