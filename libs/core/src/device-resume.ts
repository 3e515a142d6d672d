import { compareStreamIds, type Cursor, type StreamId, ZERO_ID } from '@tidings/protocol';
import type { ChannelStanding, LogGap, PatternStanding } from './ports.js';

/** Where a device that names no cursor resumes a subscription, and what it must be told first. */
export interface DeviceResumePoint {
  readonly cursor: Cursor;
  /** Memberships and patterns that had lapsed: each is reported as a reset before any event. */
  readonly lapses: readonly LogGap[];
}

/**
 * Merges a device's standings into one cursor for the subscription: each exact channel at its
 * position, each channel a durable pattern has seen at the lowest position any standing gives it,
 * and the floor (for channels the patterns have not seen yet) at the earliest pattern floor.
 * Lower never skips: at worst a channel repeats events, which clients drop by id.
 */
export function deviceResumePoint(channels: readonly ChannelStanding[], patterns: readonly PatternStanding[]): DeviceResumePoint {
  const positions = new Map<string, StreamId>();
  const lower = (channel: string, id: StreamId) => {
    const known = positions.get(channel);
    if (known === undefined || compareStreamIds(id, known) < 0) positions.set(channel, id);
  };
  const lapses: LogGap[] = [];
  for (const standing of channels) {
    lower(standing.channel, standing.position);
    if (standing.lapsed) lapses.push(standing.lapsed);
  }
  let floor: StreamId | undefined;
  for (const standing of patterns) {
    for (const [channel, id] of standing.positions) lower(channel, id);
    if (floor === undefined || compareStreamIds(standing.floor, floor) < 0) floor = standing.floor;
    if (standing.lapsed) lapses.push(standing.lapsed);
  }
  return { cursor: { floor: floor ?? ZERO_ID, positions }, lapses };
}
