// Consumer groups: backend services share a channel's events, each event to one consumer of a
// group, acknowledged once, handed to another after a visibility timeout. The names and request
// shapes here are read the same way from HTTP bodies and WebSocket frames.
import type { ErrorCode } from './errors.js';
import { TidingsError } from './errors.js';
import { fieldError, fieldPath, withFieldPath } from './field-path.js';
import { type BodyLimits, DEFAULT_BODY_LIMITS, isJsonObject, type JsonObject, parseJsonStrict } from './json-value.js';
import { rejectUnknownKeys } from './publish-request.js';
import { isStreamId, parseStreamId, type StreamId } from './stream-id.js';

export const GROUP_NAME_MAX_LENGTH = 64;
export const CONSUMER_NAME_MAX_LENGTH = 128;
export const CLAIM_MAX_COUNT = 1000;
export const CLAIM_DEFAULT_COUNT = 10;
export const CLAIM_MAX_WAIT_SECONDS = 60;
export const GROUP_ACK_MAX_IDS = 1000;
export const GROUP_MAX_VISIBILITY_SECONDS = 12 * 3600;
export const GROUP_DEFAULT_VISIBILITY_SECONDS = 30;
export const GROUP_MAX_DELIVERIES = 1000;
export const GROUP_DEFAULT_MAX_DELIVERIES = 5;

// Group and consumer names end up in Redis as group and consumer names and in key names (the
// dead-letter stream), so they share the channel charset's caution: no braces, no spaces.
const GROUP_RE = /^[A-Za-z0-9_.:@-]{1,64}$/;
const CONSUMER_RE = /^[A-Za-z0-9_.:@-]{1,128}$/;

/** Where a new group starts reading: only what is published from now, everything kept, or after an event. */
export type GroupStart = 'new' | 'all' | StreamId;

export interface GroupSettingsRequest {
  /** Only when the group is created; an existing group keeps its position. */
  readonly start?: GroupStart;
  readonly visibilitySeconds?: number;
  readonly maxDeliveries?: number;
}

export interface ClaimRequest {
  readonly consumer: string;
  readonly count: number;
  /** Seconds to wait for work when there is none now (long-poll); 0 answers at once. */
  readonly wait: number;
}

export function isGroupName(s: unknown): s is string {
  return typeof s === 'string' && GROUP_RE.test(s);
}

export function parseGroupName(s: unknown): string {
  if (isGroupName(s)) return s;
  throw new TidingsError('TIDINGS_GROUP_INVALID', `group names are 1-${GROUP_NAME_MAX_LENGTH} characters of A-Z a-z 0-9 _ . : @ -`);
}

export function parseConsumerName(s: unknown): string {
  if (typeof s === 'string' && CONSUMER_RE.test(s)) return s;
  throw new TidingsError('TIDINGS_CONSUMER_INVALID', `consumer names are 1-${CONSUMER_NAME_MAX_LENGTH} characters of A-Z a-z 0-9 _ . : @ -`);
}

/** The fields of a group's settings in `obj` (a body or a frame); `path` names where they are. */
export function readGroupSettings(obj: JsonObject, path: string, code: ErrorCode): GroupSettingsRequest {
  const settings: { start?: GroupStart; visibilitySeconds?: number; maxDeliveries?: number } = {};
  if (Object.hasOwn(obj, 'start')) {
    const start = obj['start'];
    if (start === 'new' || start === 'all') settings.start = start;
    else if (typeof start === 'string' && isStreamId(start)) settings.start = start;
    else throw fieldError(code, fieldPath(path, 'start'), 'must be "new", "all" or an event id');
  }
  if (Object.hasOwn(obj, 'visibilitySeconds')) settings.visibilitySeconds = wholeNumber(obj, 'visibilitySeconds', 1, GROUP_MAX_VISIBILITY_SECONDS, path, code);
  if (Object.hasOwn(obj, 'maxDeliveries')) settings.maxDeliveries = wholeNumber(obj, 'maxDeliveries', 1, GROUP_MAX_DELIVERIES, path, code);
  return settings;
}

export function readClaim(obj: JsonObject, path: string, code: ErrorCode): ClaimRequest {
  if (!Object.hasOwn(obj, 'consumer')) throw fieldError(code, fieldPath(path, 'consumer'), 'is required');
  const consumer = withFieldPath(fieldPath(path, 'consumer'), () => parseConsumerName(obj['consumer']));
  const count = Object.hasOwn(obj, 'count') ? wholeNumber(obj, 'count', 1, CLAIM_MAX_COUNT, path, code) : CLAIM_DEFAULT_COUNT;
  const wait = Object.hasOwn(obj, 'wait') ? wholeNumber(obj, 'wait', 0, CLAIM_MAX_WAIT_SECONDS, path, code) : 0;
  return { consumer, count, wait };
}

/** 1 to GROUP_ACK_MAX_IDS event ids, no repeats. */
export function readEventIds(obj: JsonObject, path: string, code: ErrorCode): StreamId[] {
  const ids = obj['ids'];
  const where = fieldPath(path, 'ids');
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > GROUP_ACK_MAX_IDS) throw fieldError(code, where, `must be an array of 1-${GROUP_ACK_MAX_IDS} event ids`);
  const parsed = ids.map((id, i) => withFieldPath(`${where}[${i}]`, () => parseStreamId(id as string)));
  if (new Set(parsed).size !== parsed.length) throw fieldError(code, where, 'lists an id twice');
  return parsed;
}

/** PUT …/groups/{group}: settings, all optional; an empty body means the defaults. */
export function parseGroupSettingsBody(body: Uint8Array, limits: BodyLimits = DEFAULT_BODY_LIMITS): GroupSettingsRequest {
  if (body.byteLength === 0) return {};
  const obj = objectBody(body, limits, '{ "start"?, "visibilitySeconds"?, "maxDeliveries"? }');
  rejectUnknownKeys(obj, '', ['start', 'visibilitySeconds', 'maxDeliveries'], 'TIDINGS_BODY_INVALID');
  return readGroupSettings(obj, '', 'TIDINGS_BODY_INVALID');
}

/** POST …/claim: `{ consumer, count?, wait? }`. */
export function parseClaimBody(body: Uint8Array, limits: BodyLimits = DEFAULT_BODY_LIMITS): ClaimRequest {
  const obj = objectBody(body, limits, '{ "consumer", "count"?, "wait"? }');
  rejectUnknownKeys(obj, '', ['consumer', 'count', 'wait'], 'TIDINGS_BODY_INVALID');
  return readClaim(obj, '', 'TIDINGS_BODY_INVALID');
}

/** POST …/acks and …/nacks: `{ ids }`. */
export function parseEventIdsBody(body: Uint8Array, limits: BodyLimits = DEFAULT_BODY_LIMITS): StreamId[] {
  const obj = objectBody(body, limits, '{ "ids": [event ids] }');
  rejectUnknownKeys(obj, '', ['ids'], 'TIDINGS_BODY_INVALID');
  return readEventIds(obj, '', 'TIDINGS_BODY_INVALID');
}

function objectBody(body: Uint8Array, limits: BodyLimits, shape: string): JsonObject {
  const value = parseJsonStrict(body, limits);
  if (!isJsonObject(value)) throw new TidingsError('TIDINGS_BODY_INVALID', `the body is a JSON object ${shape}`);
  return value;
}

function wholeNumber(obj: JsonObject, key: string, min: number, max: number, path: string, code: ErrorCode): number {
  const value = obj[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw fieldError(code, fieldPath(path, key), `must be a whole number from ${min} to ${max}`);
  }
  return value;
}
