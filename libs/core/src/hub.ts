import { matchesPattern, patternGlob } from '@tidings/protocol';
import { ChannelFeed, type ChannelFeedDeps } from './channel-feed.js';
import type { EventLog, LiveBus, LiveBusListener, LiveNotification, PresenceChange, Redelivery, Schedule } from './ports.js';

/** A wildcard subscription, told about every channel that matches it and has a live feed here. */
export interface PatternWatcher {
  readonly pattern: string;
  onChannelDiscovered(channel: string, feed: ChannelFeed): void;
}

export interface HubObserver {
  gapFilled?(channel: string): void;
  feedsChanged?(count: number): void;
  /** A fan-out pass has written a batch to every listener; `ageMs` is how long ago its oldest event was stored. */
  fannedOut?(ageMs: number): void;
  error?(error: unknown, context: string): void;
}

export interface HubOptions {
  readonly log: EventLog;
  readonly bus: LiveBus;
  readonly schedule: Schedule;
  /** Runs `run` on a later turn of the event loop (setImmediate): fan-out passes yield between slices with it. */
  readonly yieldTurn: (run: () => void) => void;
  readonly now: () => number;
  readonly observer?: HubObserver;
  /** Where the worker's redeliveries go (the node's device connections). */
  readonly redeliver?: (redelivery: Redelivery) => void;
  /** Where joins and leaves go (subscriptions that asked for them). */
  readonly presenceChanged?: (change: PresenceChange) => void;
  readonly pageSize?: number;
  readonly maxPending?: number;
  /** Listeners a fan-out pass serves before it yields (default 250: about a millisecond or two of writes, so a publish waits little). */
  readonly sliceSize?: number;
  /** Feeds kept only for wildcard subscribers are dropped after this long without events. */
  readonly idleFeedMs?: number;
  /** How far before a resync's start to look for channels that wildcard watchers may have missed. */
  readonly discoverySlackMs?: number;
}

interface GlobWatch {
  refs: number;
  ready: Promise<void>;
}

/**
 * The node-level fan-in: one live subscription per active channel or wildcard glob, however
 * many connections share it, each channel relayed through one gap-checked ChannelFeed.
 */
export class Hub implements LiveBusListener {
  private readonly feeds = new Map<string, ChannelFeed>();
  private readonly starting = new Map<string, Promise<void>>();
  private readonly globs = new Map<string, GlobWatch>();
  private readonly watchers = new Set<PatternWatcher>();
  private watchersVersion = 0;
  private readonly feedDeps: ChannelFeedDeps;

  constructor(private readonly options: HubOptions) {
    const observer = options.observer ?? {};
    this.feedDeps = {
      log: options.log,
      pageSize: options.pageSize ?? 500,
      maxPending: options.maxPending ?? 1000,
      retryDelayMs: (attempt) => Math.min(5000, 100 * 2 ** attempt),
      schedule: options.schedule,
      yieldTurn: options.yieldTurn,
      sliceSize: options.sliceSize ?? 250,
      maxBatch: options.maxPending ?? 1000,
      gapFilled: (channel) => observer.gapFilled?.(channel),
      fannedOut: (oldestMs) => observer.fannedOut?.(options.now() - oldestMs),
      failed: (channel, error) => observer.error?.(error, `reading channel ${channel} to fill a gap`),
    };
    options.bus.setListener(this);
  }

  get pageSize(): number {
    return this.feedDeps.pageSize;
  }

  feed(channel: string): ChannelFeed | undefined {
    return this.feeds.get(channel);
  }

  get feedCount(): number {
    return this.feeds.size;
  }

  /** Holds a live subscription to `channel` until the matching detachChannel. */
  async attachChannel(channel: string): Promise<ChannelFeed> {
    let feed = this.feeds.get(channel);
    if (!feed) feed = this.addFeed(channel);
    feed.exactRefs += 1;
    if (feed.exactRefs === 1) this.starting.set(channel, this.startFeed(feed));
    try {
      await this.starting.get(channel);
    } catch (error) {
      this.detachChannel(channel);
      throw error;
    }
    return feed;
  }

  detachChannel(channel: string): void {
    const feed = this.feeds.get(channel);
    if (!feed || feed.exactRefs === 0) return;
    feed.exactRefs -= 1;
    if (feed.exactRefs > 0) return;
    this.starting.delete(channel);
    this.options.bus.unwatchChannel(channel).catch((e: unknown) => this.report(e, `unwatching ${channel}`));
    if (!this.hasWatcherFor(channel)) this.removeFeed(feed);
  }

  async watchPattern(watcher: PatternWatcher): Promise<void> {
    const glob = patternGlob(watcher.pattern);
    let watch = this.globs.get(glob);
    if (!watch) {
      watch = { refs: 0, ready: this.options.bus.watchGlob(glob) };
      this.globs.set(glob, watch);
    }
    watch.refs += 1;
    // Registered before the glob subscription is confirmed, so no notification that arrives
    // meanwhile is thrown away for want of a watcher.
    this.watchers.add(watcher);
    this.watchersVersion += 1;
    try {
      await watch.ready;
    } catch (error) {
      this.unwatchPattern(watcher);
      throw error;
    }
    for (const feed of this.feeds.values()) {
      if (feed.started && matchesPattern(watcher.pattern, feed.channel)) watcher.onChannelDiscovered(feed.channel, feed);
    }
  }

  unwatchPattern(watcher: PatternWatcher): void {
    if (!this.watchers.delete(watcher)) return;
    // A feed no subscription covers any more stops hearing its channel: keeping it would
    // hand a stale position to the next wildcard subscriber.
    for (const feed of this.feeds.values()) {
      if (feed.exactRefs === 0 && matchesPattern(watcher.pattern, feed.channel) && !this.hasWatcherFor(feed.channel)) this.removeFeed(feed);
    }
    const glob = patternGlob(watcher.pattern);
    const watch = this.globs.get(glob);
    if (!watch) return;
    watch.refs -= 1;
    if (watch.refs > 0) return;
    this.globs.delete(glob);
    this.options.bus.unwatchGlob(glob).catch((e: unknown) => this.report(e, `unwatching ${glob}`));
  }

  notify(n: LiveNotification): void {
    let feed = this.feeds.get(n.channel);
    if (!feed) {
      if (!this.hasWatcherFor(n.channel)) return; // a late message for something no longer watched
      feed = this.addFeed(n.channel);
      feed.begin(n.prev);
    }
    feed.lastActivityMs = this.options.now();
    this.discover(feed);
    feed.receive(n);
  }

  redeliver(redelivery: Redelivery): void {
    this.options.redeliver?.(redelivery);
  }

  presenceChanged(change: PresenceChange): void {
    this.options.presenceChanged?.(change);
  }

  resync(sinceMs: number): void {
    for (const feed of this.feeds.values()) feed.fill();
    if (this.watchers.size > 0) {
      this.rediscover(sinceMs - (this.options.discoverySlackMs ?? 5000)).catch((e: unknown) =>
        this.report(e, 'rediscovering wildcard channels after a resync'),
      );
    }
  }

  /** Drops feeds that only wildcard watchers kept and that saw no event for a while. */
  sweep(): void {
    const idleBefore = this.options.now() - (this.options.idleFeedMs ?? 60_000);
    for (const feed of this.feeds.values()) {
      if (feed.exactRefs > 0) continue;
      if (feed.lastActivityMs < idleBefore || !this.hasWatcherFor(feed.channel)) this.removeFeed(feed);
    }
  }

  private async startFeed(feed: ChannelFeed): Promise<void> {
    // Subscribe first, then read the newest id: whatever lands in between arrives as a
    // notification whose predecessor the feed can check, so nothing falls between the two.
    await this.options.bus.watchChannel(feed.channel);
    if (feed.started) return; // a wildcard notification started it meanwhile
    feed.begin(await this.options.log.lastId(feed.channel));
    feed.lastActivityMs = this.options.now();
    this.discover(feed);
  }

  private async rediscover(sinceMs: number): Promise<void> {
    const channels = await this.options.log.channelsActiveSince(sinceMs);
    for (const channel of channels) {
      if (this.feeds.has(channel) || !this.hasWatcherFor(channel)) continue;
      const lastId = await this.options.log.lastId(channel);
      if (this.feeds.has(channel)) continue; // a notification created it while we read
      const feed = this.addFeed(channel);
      feed.begin(lastId);
      feed.lastActivityMs = this.options.now();
      this.discover(feed);
    }
  }

  /** Introduces a feed to the wildcard watchers that match it and have not seen it yet. */
  private discover(feed: ChannelFeed): void {
    if (!feed.started || feed.watchersVersion === this.watchersVersion) return;
    feed.watchersVersion = this.watchersVersion;
    for (const watcher of this.watchers) {
      if (matchesPattern(watcher.pattern, feed.channel)) watcher.onChannelDiscovered(feed.channel, feed);
    }
  }

  private hasWatcherFor(channel: string): boolean {
    for (const watcher of this.watchers) if (matchesPattern(watcher.pattern, channel)) return true;
    return false;
  }

  private addFeed(channel: string): ChannelFeed {
    const feed = new ChannelFeed(channel, this.feedDeps);
    this.feeds.set(channel, feed);
    this.options.observer?.feedsChanged?.(this.feeds.size);
    return feed;
  }

  private removeFeed(feed: ChannelFeed): void {
    feed.close();
    this.feeds.delete(feed.channel);
    this.options.observer?.feedsChanged?.(this.feeds.size);
  }

  private report(error: unknown, context: string): void {
    this.options.observer?.error?.(error, context);
  }
}
