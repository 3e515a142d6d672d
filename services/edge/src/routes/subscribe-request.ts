import type { LogGap } from '@tidings/core';
import {
  type Cursor,
  decodeCursor,
  expandSince,
  isStreamId,
  parseDeviceId,
  parseSubscription,
  type Subscription as SubscriptionSpec,
  TidingsError,
} from '@tidings/protocol';
import type { DeviceSession } from '../node/device-tracker.js';

/** The channels and patterns of a subscribe request: at least one, at most `max`, no repeats. */
export function parseSpecs(values: readonly string[], max: number): SubscriptionSpec[] {
  if (values.length === 0) throw new TidingsError('TIDINGS_QUERY_INVALID', 'name at least one channel: ?channel=NAME');
  const unique = [...new Set(values)];
  if (unique.length > max) throw new TidingsError('TIDINGS_TOO_MANY_CHANNELS', `at most ${max} channels per connection`);
  return unique.map((value) => parseSubscription(value));
}

/**
 * Where to resume: an opaque cursor (as handed out in SSE ids, `subscribed` frames and poll
 * answers) or a plain stream id, meaning "after this id" in every channel (0: from the oldest
 * retained event). None: from now.
 */
export function parseResumePoint(raw: string | undefined, specs: readonly SubscriptionSpec[]): Cursor | null {
  if (raw === undefined || raw === '') return null;
  const value = expandSince(raw);
  if (!isStreamId(value)) return decodeCursor(value);
  const positions = new Map(specs.flatMap((s) => (s.kind === 'channel' ? [[s.channel, value] as const] : [])));
  return { floor: value, positions };
}

/** `device=` names the subscriber for membership and receipts; absent means anonymous. */
export function parseDeviceParam(value: string | null): string | undefined {
  return value === null ? undefined : parseDeviceId(value);
}

/** `presence=1` asks for join and leave events on the request's exact channels. */
export function parsePresenceParam(value: string | null): boolean {
  if (value === null || value === '0') return false;
  if (value === '1') return true;
  throw new TidingsError('TIDINGS_QUERY_INVALID', 'presence must be 1 or 0');
}

/** The concrete channels of a subscription: the ones a device becomes a member of. */
export function exactChannels(specs: readonly SubscriptionSpec[]): string[] {
  return specs.flatMap((spec) => (spec.kind === 'channel' ? [spec.channel] : []));
}

/** The wildcard patterns of a subscription: the ones a device follows durably. */
export function patternsOf(specs: readonly SubscriptionSpec[]): string[] {
  return specs.flatMap((spec) => (spec.kind === 'pattern' ? [spec.pattern] : []));
}

/**
 * Where a subscription starts: the client's own cursor wins (it knows what it received); else
 * where the device resumes, after a reset for each lapsed membership; else from now.
 */
export function resumePoint(clientCursor: Cursor | null, device: DeviceSession | undefined): { cursor: Cursor | null; lapses: readonly LogGap[] } {
  if (clientCursor) return { cursor: clientCursor, lapses: NO_LAPSES };
  return device ? device.resume : { cursor: null, lapses: NO_LAPSES };
}

const NO_LAPSES: readonly LogGap[] = Object.freeze([]);
