// Redis stream ids ("<ms>-<seq>"), the per-channel event ids. Only the canonical decimal form
// is accepted, so equal ids are equal strings and a Map keyed by id cannot hold one id twice.
import { TidingsError } from './errors.js';

export type StreamId = string;

export const ZERO_ID: StreamId = '0-0';

/** `since=0` says "from the oldest retained event" on every route and frame (CouchDB's idiom). */
export const SINCE_OLDEST = '0';

/** A `since` value with the `0` shorthand spelt out as the id before every event. */
export function expandSince(since: string): string {
  return since === SINCE_OLDEST ? ZERO_ID : since;
}

// 16 digits covers Number.MAX_SAFE_INTEGER; the numeric bound is checked separately.
const STREAM_ID_RE = /^(0|[1-9][0-9]{0,15})-(0|[1-9][0-9]{0,15})$/;

export function isStreamId(s: string): boolean {
  return streamIdParts(s) !== undefined;
}

export function parseStreamId(s: string): StreamId {
  if (isStreamId(s)) return s;
  throw new TidingsError('TIDINGS_EVENT_ID_INVALID', `event id ${describe(s)} is not a stream id (<ms>-<seq>, canonical decimal)`);
}

/** Numeric order (so '10-0' > '9-0'). Throws TIDINGS_EVENT_ID_INVALID on a non-canonical id. */
export function compareStreamIds(a: StreamId, b: StreamId): number {
  const [aMs, aSeq] = partsOrThrow(a);
  const [bMs, bSeq] = partsOrThrow(b);
  return aMs !== bMs ? Math.sign(aMs - bMs) : Math.sign(aSeq - bSeq);
}

export function maxStreamId(a: StreamId, b: StreamId): StreamId {
  return compareStreamIds(a, b) >= 0 ? a : b;
}

export function minStreamId(a: StreamId, b: StreamId): StreamId {
  return compareStreamIds(a, b) <= 0 ? a : b;
}

/**
 * The greatest id before `id` ('0-0' for the smallest ones): a position exclusive of `id`, as a
 * reset's `lostFrom` names the position after which events were lost.
 */
export function previousStreamId(id: StreamId): StreamId {
  const [ms, seq] = partsOrThrow(id);
  if (seq > 0) return `${ms}-${seq - 1}`;
  return ms > 0 ? `${ms - 1}-${Number.MAX_SAFE_INTEGER}` : ZERO_ID;
}

/** The millisecond part: when Redis appended the event. */
export function streamIdMs(id: StreamId): number {
  return partsOrThrow(id)[0];
}

/** [ms, seq] of a canonical stream id, or undefined. */
export function streamIdParts(s: string): readonly [ms: number, seq: number] | undefined {
  if (typeof s !== 'string') return undefined;
  const m = STREAM_ID_RE.exec(s);
  if (!m) return undefined;
  const ms = Number(m[1]);
  const seq = Number(m[2]);
  if (ms > Number.MAX_SAFE_INTEGER || seq > Number.MAX_SAFE_INTEGER) return undefined;
  return [ms, seq];
}

function partsOrThrow(id: StreamId): readonly [number, number] {
  const parts = streamIdParts(id);
  if (!parts) throw new TidingsError('TIDINGS_EVENT_ID_INVALID', `event id ${describe(id)} is not a stream id`);
  return parts;
}

function describe(s: unknown): string {
  return typeof s === 'string' ? JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s) : typeof s;
}
