// The WebSocket protocol hands out a cursor when a subscription starts (`subscribed`) and then
// only per-channel event ids. To resume after a reconnect the client rebuilds a cursor that
// covers exactly what it has received: the server's starting point with each channel moved to
// the last id seen in it.
import { compareStreamIds, type Cursor, decodeCursor, encodeCursor, type StreamId, ZERO_ID } from '@tidings/protocol';

export const DEFAULT_MAX_CURSOR_CHANNELS = 1024;

export class CursorTracker {
  private floor: StreamId | undefined;
  // Insertion order = least recently moved first, the channel to fold into the floor when full.
  private readonly positions = new Map<string, StreamId>();

  /** `since` is what the subscription was asked to resume from; it stands until the server answers. */
  constructor(
    private since: string | undefined,
    private readonly maxChannels = DEFAULT_MAX_CURSOR_CHANNELS,
  ) {}

  /** The server's starting point (a `subscribed` cursor) replaces everything tracked so far. */
  start(cursor: string): void {
    const decoded = decodeCursor(cursor);
    this.floor = decoded.floor;
    this.positions.clear();
    for (const [channel, id] of decoded.positions) this.positions.set(channel, id);
    this.trim();
  }

  /** The server sends each channel in order, so the last id seen is the channel's position. */
  record(channel: string, id: StreamId): void {
    if (this.floor === undefined) return;
    this.positions.delete(channel);
    this.positions.set(channel, id);
    this.trim();
  }

  /**
   * A stream that was lost and recreated restarts its ids: resume it from the beginning. After
   * retention loss the position stays: resuming there gets the same honest reset again.
   */
  reset(channel: string, reason: string): void {
    if (this.floor === undefined || reason !== 'stream-lost') return;
    this.positions.delete(channel);
    this.positions.set(channel, ZERO_ID);
    this.trim();
  }

  /** The cursor to resume from: undefined before the server answered and without a `since`. */
  current(): string | undefined {
    if (this.floor === undefined) return this.since;
    return encodeCursor({ floor: this.floor, positions: this.positions });
  }

  /** Forgets the server's answer, e.g. before re-subscribing from another `since`. */
  restart(since: string | undefined): void {
    this.since = since;
    this.floor = undefined;
    this.positions.clear();
  }

  private trim(): void {
    // A zero floor means "exact channels only": their positions are all there is, and the
    // user's channel list already bounds them. With a real floor (a wildcard), a forgotten
    // channel falls back to the floor, lowered so it cannot skip anything.
    if (this.floor === undefined || this.floor === ZERO_ID) return;
    while (this.positions.size > this.maxChannels) {
      const [channel, id] = this.positions.entries().next().value as [string, StreamId];
      this.positions.delete(channel);
      if (compareStreamIds(id, this.floor) < 0) this.floor = id;
    }
  }
}

/**
 * One cursor covering several: each channel at the smallest position any of them gives it and
 * the smallest non-zero floor. Resuming from it may repeat events (dropped by id), never skip
 * one. Undefined when any input is missing or not a cursor (a bare stream id cannot be merged).
 */
export function mergeCursors(cursors: readonly (string | undefined)[]): string | undefined {
  if (cursors.length === 1) return cursors[0];
  const decoded: Cursor[] = [];
  for (const c of cursors) {
    if (c === undefined) return undefined;
    const cursor = tryDecode(c);
    if (!cursor) return undefined;
    decoded.push(cursor);
  }
  let floor: StreamId = ZERO_ID;
  const positions = new Map<string, StreamId>();
  for (const c of decoded) {
    if (c.floor !== ZERO_ID && (floor === ZERO_ID || compareStreamIds(c.floor, floor) < 0)) floor = c.floor;
    for (const [channel, id] of c.positions) {
      const seen = positions.get(channel);
      if (seen === undefined || compareStreamIds(id, seen) < 0) positions.set(channel, id);
    }
  }
  return encodeCursor({ floor, positions });
}

function tryDecode(s: string): Cursor | undefined {
  try {
    return decodeCursor(s);
  } catch {
    return undefined;
  }
}
