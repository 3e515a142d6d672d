import { compareStreamIds, type StreamId, ZERO_ID } from '@tidings/protocol';
import { EventBatch, NodeEvent } from './node-event.js';
import type { EventLog, LiveNotification, LoggedEvent } from './ports.js';

export interface FeedListener {
  /**
   * Batches arrive in channel order, ids strictly increasing within and across batches. A listener
   * attached after a pass began gets the next one; what it may see twice (events at or before the
   * position it attached at) it drops by id.
   */
  onFeedEvents(batch: EventBatch): void;
  /**
   * The feed stopped carrying this listener. `behind`: the feed skipped events (its own read hit
   * a retention gap or a lost stream), so the listener must read the log from its own position.
   */
  onFeedDetached(channel: string, behind: boolean): void;
}

export interface ChannelFeedDeps {
  readonly log: EventLog;
  readonly pageSize: number;
  /** Notifications held while the feed starts or fills; past this it forgets them and re-reads the log. */
  readonly maxPending: number;
  readonly retryDelayMs: (attempt: number) => number;
  readonly schedule: (run: () => void, delayMs: number) => () => void;
  readonly gapFilled: (channel: string) => void;
  /** A pass wrote a batch to every listener; `oldestMs` is its first event's stream-id time. */
  readonly fannedOut: (oldestMs: number) => void;
  readonly failed: (channel: string, error: unknown) => void;
  /** Runs `run` on a later turn of the event loop: a long fan-out pass yields between slices. */
  readonly yieldTurn: (run: () => void) => void;
  /** Listeners one slice of a pass hands its batch to before yielding. */
  readonly sliceSize: number;
  /** Events accepted for the next pass at most while one runs; more wait as notifications (and past maxPending, in the log). */
  readonly maxBatch: number;
}

/**
 * The node's single view of one channel's live events. Pub/sub may drop or repeat messages, so
 * every notification names its predecessor; when that is not the last id relayed, the feed reads
 * the missing events from the log before relaying anything newer. Listeners therefore see the
 * channel's total order with no gaps, however the live path behaves.
 *
 * Fan-out goes in passes: a pass hands every listener the same batch — everything relayed since
 * the previous pass — so a connection writes several events at once, and a pass over many
 * listeners proceeds in slices, yielding between them so that publishes, heartbeats and new
 * connections are served meanwhile. Events relayed during a pass wait for the next one.
 */
export class ChannelFeed {
  /** Id of the newest event relayed (or known to exist when the feed started). */
  lastId: StreamId = ZERO_ID;
  exactRefs = 0;
  lastActivityMs = 0;
  /** Bumped by the hub when pattern watchers change, so discovery runs again lazily. */
  watchersVersion = -1;
  private state: 'starting' | 'live' | 'filling' | 'closed' = 'starting';
  private pending: LiveNotification[] = [];
  private overflowed = false;
  private refillRequested = false;
  private retries = 0;
  private cancelRetry: (() => void) | undefined;
  private readonly listeners = new Set<FeedListener>();
  /** Relayed, waiting for the next pass. */
  private queued: NodeEvent[] = [];
  private passing = false;
  private passScheduled = false;
  /** Resolves a fill waiting for a pass to make room (see maxBatch). */
  private roomWaiters: (() => void)[] = [];

  constructor(
    readonly channel: string,
    private readonly deps: ChannelFeedDeps,
  ) {}

  get started(): boolean {
    return this.state !== 'starting';
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Goes live knowing `lastId` is the channel's newest event; held notifications are applied now. */
  begin(lastId: StreamId): void {
    if (this.state !== 'starting') return;
    this.lastId = lastId;
    this.state = 'live';
    this.applyPending();
  }

  attach(listener: FeedListener): void {
    this.listeners.add(listener);
  }

  detach(listener: FeedListener): void {
    this.listeners.delete(listener);
  }

  receive(notification: LiveNotification): void {
    if (this.state === 'live') this.apply(notification);
    else if (this.state !== 'closed') this.hold(notification);
  }

  /** Reads whatever the log has after `lastId` (after a resync, or when a gap shows). */
  fill(): void {
    if (this.state === 'closed') return;
    if (this.state !== 'live') {
      this.refillRequested = true;
      return;
    }
    this.state = 'filling';
    void this.runFill();
  }

  close(): void {
    this.state = 'closed';
    this.cancelRetry?.();
    this.pending = [];
    this.queued = [];
    this.wakeRoomWaiters();
    for (const listener of this.listeners) listener.onFeedDetached(this.channel, false);
    this.listeners.clear();
  }

  private apply(n: LiveNotification): void {
    if (compareStreamIds(n.id, this.lastId) <= 0) return; // a repeat, or already read from the log
    if (n.prev !== this.lastId) {
      this.hold(n);
      this.fill();
    } else if (this.isFull()) {
      this.hold(n); // relayed when the running pass has taken the queue
    } else {
      this.relay(n);
    }
  }

  private hold(n: LiveNotification): void {
    if (this.pending.length >= this.deps.maxPending) {
      // Everything is in the log anyway: forget the backlog and read it from there.
      this.pending = [];
      this.overflowed = true;
      return;
    }
    this.pending.push(n);
  }

  private relay(event: LoggedEvent): void {
    this.lastId = event.id;
    this.queued.push(NodeEvent.of(event));
    if (this.passing || this.passScheduled) return;
    // Everything relayed in this same run (a page read from the log, a burst of notifications)
    // joins one batch.
    this.passScheduled = true;
    void Promise.resolve().then(() => this.pass());
  }

  /** Read through a method: state changes across awaits, which the compiler's narrowing does not see. */
  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private isFull(): boolean {
    return this.passing && this.queued.length >= this.deps.maxBatch;
  }

  /** Hands what is queued to every listener, a slice at a time. */
  private pass(): void {
    this.passScheduled = false;
    if (this.passing || this.state === 'closed' || this.queued.length === 0) return;
    const batch = new EventBatch(this.queued);
    this.queued = [];
    this.passing = true;
    this.slice(batch, [...this.listeners], 0);
  }

  private slice(batch: EventBatch, listeners: readonly FeedListener[], from: number): void {
    const end = Math.min(listeners.length, from + this.deps.sliceSize);
    for (let i = from; i < end; i++) {
      const listener = listeners[i]!;
      if (this.listeners.has(listener)) listener.onFeedEvents(batch); // not one that left during the pass
    }
    if (end < listeners.length && this.state !== 'closed') {
      this.deps.yieldTurn(() => this.slice(batch, listeners, end));
      return;
    }
    this.passing = false;
    if (listeners.length > 0) this.deps.fannedOut(batch.first.ms);
    this.wakeRoomWaiters();
    if (this.state === 'live' && this.pending.length > 0) this.applyPending(); // held while the queue was full
    if (!this.passScheduled) this.pass();
  }

  private wakeRoomWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** A fill far behind waits for passes instead of queueing without bound. */
  private async room(): Promise<void> {
    while (this.isFull() && !this.isClosed()) await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
  }

  private async runFill(): Promise<void> {
    this.deps.gapFilled(this.channel);
    try {
      for (;;) {
        const page = await this.deps.log.readAfter(this.channel, this.lastId, this.deps.pageSize);
        if (this.state === 'closed') return;
        if (page.gap) {
          this.skipGap(page.gap.reason === 'stream-lost' ? ZERO_ID : page.gap.lostTo);
          continue;
        }
        for (const event of page.events) this.relay(event);
        if (page.events.length < this.deps.pageSize) break;
        await this.room();
        if (this.isClosed()) return;
      }
    } catch (error) {
      if (this.state === 'closed') return;
      this.deps.failed(this.channel, error);
      const delay = this.deps.retryDelayMs(++this.retries);
      this.cancelRetry = this.deps.schedule(() => void this.runFill(), delay);
      return;
    }
    this.retries = 0;
    this.state = 'live';
    this.applyPending();
  }

  /** Events the feed cannot relay are gone for it; its listeners read (and report) them themselves. */
  private skipGap(resumeAfter: StreamId): void {
    for (const listener of this.listeners) listener.onFeedDetached(this.channel, true);
    this.listeners.clear();
    this.lastId = resumeAfter;
  }

  private applyPending(): void {
    const held = this.pending;
    this.pending = [];
    const mustRead = this.overflowed || this.refillRequested;
    this.overflowed = false;
    this.refillRequested = false;
    if (mustRead) {
      this.pending = held;
      this.fill();
      return;
    }
    for (const n of held) {
      this.apply(n);
      if (this.state !== 'live') {
        // A gap started a fill: keep the rest for after it.
        this.pending.push(...held.slice(held.indexOf(n) + 1));
        return;
      }
    }
  }
}
