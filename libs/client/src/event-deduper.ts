// Duplicates show up around reconnects (a replay from the cursor overlaps what arrived live),
// always with the id they had the first time. Per channel, ids only grow, so remembering the
// last delivered id per channel is enough to drop them.
import { compareStreamIds, isStreamId } from '@tidings/protocol';

export const DEFAULT_MAX_DEDUPE_CHANNELS = 1024;

export class EventDeduper {
  // Map iteration order is insertion order; re-inserting on every accept keeps the least
  // recently active channel first, which is the one to forget when the map is full.
  private readonly last = new Map<string, string>();

  constructor(private readonly maxChannels = DEFAULT_MAX_DEDUPE_CHANNELS) {
    if (!(maxChannels >= 1)) throw new RangeError('maxChannels must be at least 1');
  }

  /** True when the event is new and should be delivered; records it as the channel's last. */
  accept(channel: string, id: string): boolean {
    // An id that is not a stream id cannot be ordered: deliver it rather than guess.
    if (!isStreamId(id)) return true;
    const previous = this.last.get(channel);
    if (previous !== undefined && compareStreamIds(id, previous) <= 0) return false;
    this.last.delete(channel);
    this.last.set(channel, id);
    if (this.last.size > this.maxChannels) {
      const oldest = this.last.keys().next().value;
      if (oldest !== undefined) this.last.delete(oldest);
    }
    return true;
  }

  /** After a reset the channel may restart with smaller ids (a lost and recreated stream). */
  forget(channel: string): void {
    this.last.delete(channel);
  }

  lastId(channel: string): string | undefined {
    return this.last.get(channel);
  }

  get size(): number {
    return this.last.size;
  }
}
