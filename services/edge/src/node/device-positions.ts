import type { DeviceStore } from '@tidings/core';
import type { Logger } from '@tidings/observability';
import { compareStreamIds, matchesPattern, type StreamId } from '@tidings/protocol';

/** How often positions are saved while devices are connected (and at once when a connection ends). */
const FLUSH_MS = 1000;

/** One connection's durable patterns, saved from its subscription once its output has started. */
export interface PatternFollower {
  readonly device: string;
  readonly patterns: readonly string[];
  /** The subscription's positions; undefined until what they count has been written to the client. */
  positions: (() => ReadonlyMap<string, StreamId>) | undefined;
}

/**
 * Where devices are, saved in batches: the last event written to each device on each exact channel
 * it is a member of here, and the positions of its durable patterns. Written is not received: the
 * client's own cursor always wins; these are where a device without one resumes.
 */
export class DevicePositions {
  /** channel → device → the newest id written to it here, not saved yet. */
  private unsaved = new Map<string, Map<string, StreamId>>();
  private readonly followers = new Map<string, Set<PatternFollower>>();
  /** Devices whose durable patterns moved since the last save. */
  private dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: DeviceStore,
    private readonly logger: Logger,
  ) {}

  /** An event was written to the device; `member`: it follows the channel as an exact member here. */
  moved(channel: string, id: StreamId, device: string, member: boolean): void {
    if (member) {
      let positions = this.unsaved.get(channel);
      if (!positions) this.unsaved.set(channel, (positions = new Map()));
      const known = positions.get(device);
      if (known === undefined || compareStreamIds(id, known) > 0) positions.set(device, id); // a redelivery is older
    }
    if (this.followers.has(device)) this.dirty.add(device);
    else if (!member) return;
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  follow(follower: PatternFollower): void {
    let followers = this.followers.get(follower.device);
    if (!followers) this.followers.set(follower.device, (followers = new Set()));
    followers.add(follower);
  }

  /** The connection ends: its patterns are saved at once, with the channel positions waiting. */
  async unfollow(follower: PatternFollower | undefined): Promise<void> {
    const saving = [this.flushChannels()];
    if (follower) {
      saving.push(this.savePatterns(follower));
      const followers = this.followers.get(follower.device);
      followers?.delete(follower);
      if (followers?.size === 0) this.followers.delete(follower.device);
    }
    await Promise.all(saving);
  }

  /** Devices following patterns here, with the patterns: what membership renewal keeps alive. */
  followedPatterns(): Map<string, Set<string>> {
    const byDevice = new Map<string, Set<string>>();
    for (const [device, followers] of this.followers) {
      const patterns = new Set<string>();
      for (const follower of followers) for (const pattern of follower.patterns) patterns.add(pattern);
      byDevice.set(device, patterns);
    }
    return byDevice;
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const dirty = this.dirty;
    this.dirty = new Set();
    const saving = [this.flushChannels()];
    for (const device of dirty) for (const follower of this.followers.get(device) ?? []) saving.push(this.savePatterns(follower));
    await Promise.all(saving);
  }

  private async flushChannels(): Promise<void> {
    const batch = this.unsaved;
    this.unsaved = new Map();
    await Promise.all(
      [...batch].map(([channel, positions]) =>
        this.store.savePositions(channel, positions).catch((error: unknown) => this.logger.warn({ err: error, channel }, 'could not save device positions')),
      ),
    );
  }

  private async savePatterns(follower: PatternFollower): Promise<void> {
    const positions = follower.positions?.();
    if (!positions) return;
    const { device } = follower;
    await Promise.all(
      follower.patterns.map((pattern) => {
        const matching = new Map([...positions].filter(([channel]) => matchesPattern(pattern, channel)));
        if (matching.size === 0) return undefined;
        return this.store
          .savePatternPositions(device, pattern, matching)
          .catch((error: unknown) => this.logger.warn({ err: error, device, pattern }, 'could not save a durable pattern'));
      }),
    );
  }
}
