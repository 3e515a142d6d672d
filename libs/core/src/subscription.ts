import {
  compareStreamIds,
  type Cursor,
  encodeCursor,
  matchesPattern,
  type StreamId,
  streamIdMs,
  streamIdParts,
  type Subscription as SubscriptionSpec,
  TidingsError,
  ZERO_ID,
} from '@tidings/protocol';
import type { ChannelFeed, FeedListener } from './channel-feed.js';
import type { Hub, PatternWatcher } from './hub.js';
import { InlineMap } from './inline-map.js';
import { EventBatch, NodeEvent } from './node-event.js';
import type { EventLog, LogGap } from './ports.js';

/** Where a subscription's events go: one connection (SSE stream, WebSocket, pending long-poll). */
export interface SubscriptionSink {
  /** Consecutive events of one channel, each newer than anything the sink had from that channel. */
  events(batch: EventBatch, from: Subscription): void;
  reset(gap: LogGap, from: Subscription): void;
  /** null when the connection takes more now, else resolves when it does: paces replays. */
  congestion(): Promise<void> | null;
  /** The log could not be read: the connection should close and the client resume later. */
  failed(error: unknown, from: Subscription): void;
}

export interface SubscriptionOptions {
  readonly hub: Hub;
  readonly log: EventLog;
  readonly specs: readonly SubscriptionSpec[];
  readonly cursor: Cursor | null;
  /** Losses known before it starts (a device's lapsed memberships): reported to the sink first. */
  readonly lapses?: readonly LogGap[];
  readonly sink: SubscriptionSink;
  /** Cap on channels one subscription tracks (exact + discovered through wildcards). */
  readonly maxChannels: number;
  readonly discoverySlackMs?: number;
}

const MAX_EMPTY_READS_BEHIND_FEED = 5;
/** Events of a catch-up page handed to the sink at once before it is asked whether it takes more. */
const CATCH_UP_SLICE = 32;

/** Floors whose one-channel cursors an event keeps (multi-channel cursors rarely repeat). */
const MAX_SHARED_FLOORS = 16;

type Mode = 'dormant' | 'reading' | 'live';

interface Track {
  /** The last event handed to the sink (or where it starts), also as numbers: compared per delivery without parsing. */
  pos: StreamId;
  ms: number;
  seq: number;
  /**
   * The position is the subscription's floor (a time), not an event this channel had: it may lie
   * beyond the stream's newest id, which must not read as a lost stream.
   */
  fromFloor: boolean;
  /** An exact channel of the subscription: the hub holds its feed for it until close. */
  readonly attached: boolean;
  mode: Mode;
  readAgain: boolean;
  feed: ChannelFeed | undefined;
}

/**
 * One connection's view of a set of channels and patterns, with a position per concrete channel.
 * Each channel is first read from the log from its position ("catch-up"), then handed over to the
 * node's live feed once the position has reached what the feed relays; the feed and the log
 * together give every event exactly once, in order. A slow connection paces its catch-up.
 */
export class Subscription implements FeedListener {
  private readonly tracks = new InlineMap<string, Track>();
  // Allocated when first needed: thousands of idle subscriptions should cost little each.
  private watchers: PatternWatcher[] | undefined;
  /** Where channels a pattern discovers start; ZERO_ID without patterns (every channel is listed). */
  private floor: StreamId = ZERO_ID;
  private closed = false;
  private lastDelivered: NodeEvent | undefined;
  /** Catch-up reads in progress, and who waits for them to end. */
  private reads = 0;
  private caughtUpWaiters: (() => void)[] | undefined;
  private readonly hub: Hub;
  private readonly log: EventLog;
  private readonly sink: SubscriptionSink;
  private readonly maxChannels: number;
  /**
   * Where the client asked to start. Kept past start() only while patterns may discover channels
   * it names; what only start() reads (specs, lapses) is let go when it begins: an idle
   * subscription holds its tracks, not the request that made them.
   */
  private cursorGiven: Cursor | null;
  private request: SubscriptionOptions | undefined;

  constructor(options: SubscriptionOptions) {
    this.hub = options.hub;
    this.log = options.log;
    this.sink = options.sink;
    this.maxChannels = options.maxChannels;
    this.cursorGiven = options.cursor;
    this.request = options;
  }

  /** Resolves once every position is known, so cursor() covers the whole subscription. Called once. */
  async start(): Promise<void> {
    const { specs, lapses, discoverySlackMs } = this.request!;
    this.request = undefined;
    const { cursorGiven: cursor, log, hub, sink } = this;
    for (const gap of lapses ?? []) sink.reset(gap, this);
    const patterns = specs.flatMap((s) => (s.kind === 'pattern' ? [s.pattern] : []));
    // Without patterns the floor means nothing, so one-channel subscriptions share their cursors.
    if (patterns.length > 0) this.floor = cursor ? cursor.floor : `${await log.now()}-0`;

    for (const spec of specs) {
      if (spec.kind !== 'channel' || this.tracks.has(spec.channel)) continue;
      const feed = await hub.attachChannel(spec.channel); // on failure the hub has let go itself
      if (this.closed) {
        hub.detachChannel(spec.channel); // closed while attaching: close() did not know of it
        return;
      }
      const [pos, fromFloor] = this.initialPosition(spec.channel, feed.lastId);
      this.track(spec.channel, pos, fromFloor, true);
    }
    for (const pattern of patterns) {
      if (this.closed) return; // closed while reading the clock: close() had no watcher to remove
      const watcher: PatternWatcher = { pattern, onChannelDiscovered: (channel) => this.discovered(channel) };
      (this.watchers ??= []).push(watcher);
      await hub.watchPattern(watcher);
      if (this.closed) return;
    }
    if (patterns.length > 0) await this.discoverFromLog(patterns, discoverySlackMs ?? 5000);
    else this.cursorGiven = null; // every channel is tracked already: nothing left to look up in it
    for (const channel of [...this.tracks.keys()]) this.sync(channel);
  }

  /** One exact channel and no pattern: its cursor after an event is exactCursor(event), shared by all such subscriptions. */
  get sharesCursors(): boolean {
    return this.tracks.size === 1 && this.floor === ZERO_ID;
  }

  /** The cursor covering everything handed to the sink so far. */
  cursor(): string {
    const last = this.lastDelivered;
    if (this.tracks.size === 1 && last && this.tracks.get(last.channel)?.pos === last.id) return this.cursorAfter(last);
    return encodeCursor({ floor: this.floor, positions: this.positions() });
  }

  /**
   * The cursor as it stands once `event` (of a batch being handed to the sink) is delivered: every
   * one-channel subscription with the same floor shares it, encoded once per event.
   */
  cursorAfter(event: NodeEvent): string {
    if (this.tracks.size === 1) {
      if (this.floor === ZERO_ID) return event.derive(exactCursor);
      const byFloor = event.derive(floorCursors);
      let cursor = byFloor.get(this.floor);
      if (cursor === undefined) {
        cursor = encodeCursor({ floor: this.floor, positions: new Map([[event.channel, event.id]]) });
        if (byFloor.size < MAX_SHARED_FLOORS) byFloor.set(this.floor, cursor);
      }
      return cursor;
    }
    const positions = this.positions();
    positions.set(event.channel, event.id);
    return encodeCursor({ floor: this.floor, positions });
  }

  /**
   * Resolves once no channel is reading the log any more (each is live, or had nothing more), or
   * the subscription closed: what the log held when it started has been handed to the sink.
   */
  caughtUp(): Promise<void> {
    if (this.reads === 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => (this.caughtUpWaiters ??= []).push(resolve));
  }

  /** Where `channel` stands: the last event handed to the sink, or where it starts; undefined for a channel it does not track. */
  positionOf(channel: string): StreamId | undefined {
    return this.tracks.get(channel)?.pos;
  }

  /** Every followed channel's position (the last event handed to the sink): what a durable pattern saves. */
  positions(): Map<string, StreamId> {
    const positions = new Map<string, StreamId>();
    for (const [channel, track] of this.tracks.entries()) positions.set(channel, track.pos);
    return positions;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wakeCaughtUp();
    for (const [channel, track] of this.tracks.entries()) {
      track.feed?.detach(this);
      if (track.attached) this.hub.detachChannel(channel);
    }
    for (const watcher of this.watchers ?? []) this.hub.unwatchPattern(watcher);
  }

  onFeedEvents(batch: EventBatch): void {
    const track = this.tracks.get(batch.first.channel);
    if (track) this.deliver(track, batch);
  }

  onFeedDetached(channel: string, behind: boolean): void {
    const track = this.tracks.get(channel);
    if (!track || track.mode !== 'live') return;
    track.mode = 'dormant';
    track.feed = undefined;
    if (behind) this.sync(channel);
  }

  /** An exact channel's starting point, and whether it is a floor (a time) rather than an event. */
  private initialPosition(channel: string, newest: StreamId): [StreamId, boolean] {
    const cursor = this.cursorGiven;
    const listed = cursor?.positions.get(channel);
    if (listed !== undefined) return [listed, false];
    if (!cursor || cursor.floor === ZERO_ID) return [newest, false];
    return [cursor.floor, true];
  }

  /** A discovered channel's starting point: its cursor position, else the floor. */
  private startingPosition(channel: string): [StreamId, boolean] {
    const listed = this.cursorGiven?.positions.get(channel);
    return listed === undefined ? [this.floor, true] : [listed, false];
  }

  private track(channel: string, pos: StreamId, fromFloor: boolean, attached = false): boolean {
    if (this.tracks.has(channel)) return true;
    if (this.tracks.size >= this.maxChannels) {
      this.fail(new TidingsError('TIDINGS_TOO_MANY_CHANNELS', `more than ${this.maxChannels} channels match this subscription`));
      return false;
    }
    const track: Track = { pos, ms: 0, seq: 0, fromFloor, attached, mode: 'dormant', readAgain: false, feed: undefined };
    moveTo(track, pos);
    this.tracks.set(channel, track);
    return true;
  }

  private discovered(channel: string): void {
    if (this.closed) return;
    const known = this.tracks.has(channel);
    if (!known && !this.track(channel, ...this.startingPosition(channel))) return;
    this.sync(channel);
  }

  /** Channels that had events since the floor while nobody here was watching them. */
  private async discoverFromLog(patterns: readonly string[], slackMs: number): Promise<void> {
    const candidates = new Set(this.cursorGiven?.positions.keys() ?? []);
    const since = streamIdMs(this.floor) - slackMs;
    for (const channel of await this.log.channelsActiveSince(since)) candidates.add(channel);
    for (const channel of candidates) {
      if (this.closed) return;
      if (!this.tracks.has(channel) && patterns.some((p) => matchesPattern(p, channel))) {
        if (!this.track(channel, ...this.startingPosition(channel))) return;
      }
    }
  }

  /** Puts a channel on the live feed if its position has reached the feed's, else reads the log. */
  private sync(channel: string): void {
    const track = this.tracks.get(channel);
    if (!track || this.closed || track.mode === 'live') return;
    if (track.mode === 'reading') {
      track.readAgain = true;
      return;
    }
    if (this.tryGoLive(channel, track)) return;
    track.mode = 'reading';
    this.reads += 1;
    void this.catchUp(channel, track).finally(() => {
      this.reads -= 1;
      if (this.reads === 0) this.wakeCaughtUp();
    });
  }

  private tryGoLive(channel: string, track: Track): boolean {
    const feed = this.hub.feed(channel);
    if (!feed?.started || compareStreamIds(track.pos, feed.lastId) < 0) return false;
    if (track.fromFloor) {
      moveTo(track, feed.lastId); // the floor is a time, the feed knows the newest event: start there
      track.fromFloor = false;
    }
    track.mode = 'live';
    track.feed = feed;
    feed.attach(this);
    return true;
  }

  private async catchUp(channel: string, track: Track): Promise<void> {
    const { log, sink, hub } = this;
    let emptyReadsBehindFeed = 0;
    // Until the first page, a position at the floor is a time, not an event this channel had.
    let afterFloor = track.fromFloor;
    try {
      if (track.fromFloor) {
        const newest = await log.lastId(channel);
        if (compareStreamIds(track.pos, newest) > 0) {
          moveTo(track, newest); // nothing there is after the floor
          afterFloor = false;
        }
        track.fromFloor = false;
      }
      for (;;) {
        await sink.congestion();
        if (this.closed) return;
        track.readAgain = false;
        const page = await log.readAfter(channel, track.pos, hub.pageSize, afterFloor);
        afterFloor = false;
        if (this.closed) return;
        if (page.gap) {
          sink.reset(page.gap, this);
          moveTo(track, page.gap.reason === 'stream-lost' ? ZERO_ID : page.gap.lostTo);
        }
        // A page meets the connection a slice at a time, each once it has taken the last.
        for (let at = 0; at < page.events.length; at += CATCH_UP_SLICE) {
          if (at > 0) await sink.congestion();
          if (this.closed) return;
          this.deliver(track, new EventBatch(page.events.slice(at, at + CATCH_UP_SLICE).map(NodeEvent.of)));
        }
        if (page.gap || page.events.length === hub.pageSize) continue;
        track.mode = 'dormant';
        if (this.tryGoLive(channel, track)) return;
        if (hub.feed(channel)?.started || track.readAgain) {
          // The feed relayed events newer than our read: read on. Repeated empty reads mean the
          // log no longer has what the feed saw (a lost stream); reconnecting realigns both.
          emptyReadsBehindFeed = page.events.length === 0 ? emptyReadsBehindFeed + 1 : 0;
          if (emptyReadsBehindFeed > MAX_EMPTY_READS_BEHIND_FEED) throw new Error(`log and live feed disagree on ${channel}`);
          track.mode = 'reading';
          continue;
        }
        return; // no feed here (a wildcard channel gone quiet): the next notification rediscovers it
      }
    } catch (error) {
      track.mode = 'dormant';
      this.fail(error);
    }
  }

  /** Hands the sink what of `batch` is newer than the channel's position (all of it, nearly always). */
  private deliver(track: Track, batch: EventBatch): void {
    const fresh = batch.after(track.ms, track.seq);
    if (!fresh) return;
    const last = fresh.last;
    track.pos = last.id;
    track.ms = last.ms;
    track.seq = last.seq;
    this.lastDelivered = last;
    this.sink.events(fresh, this);
  }

  private wakeCaughtUp(): void {
    const waiters = this.caughtUpWaiters;
    this.caughtUpWaiters = undefined;
    for (const resolve of waiters ?? []) resolve();
  }

  private fail(error: unknown): void {
    if (this.closed) return;
    this.sink.failed(error, this);
  }
}

function moveTo(track: Track, pos: StreamId): void {
  const [ms, seq] = streamIdParts(pos) ?? [0, 0];
  track.pos = pos;
  track.ms = ms;
  track.seq = seq;
}

/** The cursor of a one-channel subscription without patterns after `event`: the same for all of them. */
export function exactCursor(event: NodeEvent): string {
  return encodeCursor({ floor: ZERO_ID, positions: new Map([[event.channel, event.id]]) });
}

function floorCursors(): Map<StreamId, string> {
  return new Map();
}
