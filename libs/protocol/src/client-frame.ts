// Frames a WebSocket client sends. Structural mistakes (not JSON, missing or mistyped field,
// unknown key) are TIDINGS_FRAME_INVALID; a bad value keeps the code HTTP would give it
// (TIDINGS_CHANNEL_INVALID, TIDINGS_CURSOR_INVALID, ...) so every transport reports the same
// mistake the same way. Messages start with the field's name.
import { isChannel, parseChannel, parseSubscription } from './channel.js';
import { parseGroupName, readClaim, readEventIds } from './consumer-group.js';
import { decodeCursor, isCursorLike } from './cursor.js';
import { parseDeviceId } from './device.js';
import { TidingsError } from './errors.js';
import { fieldError, withFieldPath } from './field-path.js';
import { DEFAULT_BODY_LIMITS, isJsonObject, parseJsonText, type BodyLimits, type JsonObject, type JsonValue } from './json-value.js';
import { readPublishFields, rejectUnknownKeys } from './publish-request.js';
import { expandSince, isStreamId, parseStreamId, type StreamId } from './stream-id.js';

/** Longer bearer tokens are refused before any signature check. */
const MAX_TOKEN_LENGTH = 8192;

/** Echoed by the server in its reply so a client can pair them. */
export type FrameRef = string | number;
export type AckStatus = 'received' | 'processed' | 'failed';

export type ClientFrame =
  | { type: 'auth'; token: string; ref?: FrameRef }
  | { type: 'subscribe'; channel: string; since?: string; device?: string; presence?: true; ref?: FrameRef }
  | { type: 'unsubscribe'; channel: string; ref?: FrameRef }
  | { type: 'ack'; channel: string; id: StreamId; status: AckStatus; detail?: string; ref?: FrameRef }
  | { type: 'publish'; channel: string; event: string; data: JsonValue; ack: boolean; idempotencyKey?: string; ref?: FrameRef }
  | { type: 'claim'; channel: string; group: string; consumer: string; count: number; wait: number; ref?: FrameRef }
  | { type: 'groupAck' | 'groupNack'; channel: string; group: string; ids: StreamId[]; ref?: FrameRef }
  | { type: 'ping'; ref?: FrameRef };

export const FRAME_REF_MAX_LENGTH = 64;
export const ACK_DETAIL_MAX_LENGTH = 1024;
export const ACK_STATUSES: readonly AckStatus[] = Object.freeze(['received', 'processed', 'failed']);

const INVALID = 'TIDINGS_FRAME_INVALID';

export function parseClientFrame(text: string, limits: BodyLimits = DEFAULT_BODY_LIMITS): ClientFrame {
  if (typeof text !== 'string') throw new TidingsError(INVALID, 'frame must be JSON text');
  const frame = parseJsonText(text, limits, INVALID, 'frame');
  if (!isJsonObject(frame)) throw new TidingsError(INVALID, 'frame must be a JSON object with a "type"');
  const type = requiredString(frame, 'type');
  switch (type) {
    case 'auth': {
      rejectUnknownKeys(frame, '', ['type', 'token', 'ref'], INVALID);
      const token = requiredString(frame, 'token');
      if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw fieldError(INVALID, 'token', `must be 1-${MAX_TOKEN_LENGTH} characters`);
      return withRef({ type: 'auth', token }, frame);
    }
    case 'subscribe':
      return subscribeFrame(frame);
    case 'unsubscribe': {
      rejectUnknownKeys(frame, '', ['type', 'channel', 'ref'], INVALID);
      const channel = subscription(frame);
      return withRef({ type, channel }, frame);
    }
    case 'ack':
      return ackFrame(frame);
    case 'publish': {
      const channel = withFieldPath('channel', () => parseChannel(requiredString(frame, 'channel')));
      const fields = readPublishFields(frame, '', INVALID, ['type', 'channel', 'ref']);
      return withRef({ type, channel, ...fields }, frame);
    }
    case 'ping':
      rejectUnknownKeys(frame, '', ['type', 'ref'], INVALID);
      return withRef({ type }, frame);
    case 'claim': {
      rejectUnknownKeys(frame, '', ['type', 'channel', 'group', 'consumer', 'count', 'wait', 'ref'], INVALID);
      return withRef({ type, ...groupTarget(frame), ...readClaim(frame, '', INVALID) }, frame);
    }
    case 'groupAck':
    case 'groupNack': {
      rejectUnknownKeys(frame, '', ['type', 'channel', 'group', 'ids', 'ref'], INVALID);
      return withRef({ type, ...groupTarget(frame), ids: readEventIds(frame, '', INVALID) }, frame);
    }
    default:
      throw new TidingsError('TIDINGS_FRAME_UNKNOWN_TYPE', `type: unknown frame type ${JSON.stringify(type.slice(0, 32))}`);
  }
}

function subscribeFrame(frame: JsonObject): ClientFrame {
  rejectUnknownKeys(frame, '', ['type', 'channel', 'since', 'device', 'presence', 'ref'], INVALID);
  const channel = subscription(frame);
  const device = Object.hasOwn(frame, 'device') ? { device: withFieldPath('device', () => parseDeviceId(frame['device'])) } : {};
  const presence = frame['presence'] ?? false;
  if (typeof presence !== 'boolean') throw fieldError(INVALID, 'presence', 'must be true or false');
  if (presence && !isChannel(channel)) throw fieldError(INVALID, 'presence', 'join and leave events are for exact channels, not patterns');
  const extra = { ...device, ...(presence ? { presence: true as const } : {}) };
  if (!Object.hasOwn(frame, 'since')) return withRef({ type: 'subscribe', channel, ...extra }, frame);
  const since = expandSince(requiredString(frame, 'since'));
  if (isCursorLike(since)) withFieldPath('since', () => decodeCursor(since));
  else if (!isStreamId(since)) throw fieldError('TIDINGS_CURSOR_INVALID', 'since', 'must be 0, a stream id or a cursor');
  return withRef({ type: 'subscribe', channel, since, ...extra }, frame);
}

function ackFrame(frame: JsonObject): ClientFrame {
  rejectUnknownKeys(frame, '', ['type', 'channel', 'id', 'status', 'detail', 'ref'], INVALID);
  const channel = withFieldPath('channel', () => parseChannel(requiredString(frame, 'channel')));
  const id = withFieldPath('id', () => parseStreamId(requiredString(frame, 'id')));
  const status = Object.hasOwn(frame, 'status') ? frame['status'] : 'received';
  if (!ACK_STATUSES.includes(status as AckStatus)) {
    throw fieldError(INVALID, 'status', `must be one of ${ACK_STATUSES.join(', ')}`);
  }
  const base = { type: 'ack' as const, channel, id, status: status as AckStatus };
  if (!Object.hasOwn(frame, 'detail')) return withRef(base, frame);
  const detail = requiredString(frame, 'detail');
  if (detail.length > ACK_DETAIL_MAX_LENGTH) {
    throw fieldError(INVALID, 'detail', `must be at most ${ACK_DETAIL_MAX_LENGTH} characters`);
  }
  return withRef({ ...base, detail }, frame);
}

/** A consumer group frame's channel (exact) and group. */
function groupTarget(frame: JsonObject): { channel: string; group: string } {
  const channel = withFieldPath('channel', () => parseChannel(requiredString(frame, 'channel')));
  const group = withFieldPath('group', () => parseGroupName(requiredString(frame, 'group')));
  return { channel, group };
}

function subscription(frame: JsonObject): string {
  const channel = requiredString(frame, 'channel');
  withFieldPath('channel', () => parseSubscription(channel));
  return channel;
}

function requiredString(frame: JsonObject, key: string): string {
  if (!Object.hasOwn(frame, key)) throw fieldError(INVALID, key, 'is required');
  const value = frame[key];
  if (typeof value !== 'string') throw fieldError(INVALID, key, 'must be a string');
  return value;
}

function withRef<F extends object>(f: F, frame: JsonObject): F & { ref?: FrameRef } {
  if (!Object.hasOwn(frame, 'ref')) return f;
  const ref = frame['ref'];
  if (typeof ref === 'string' ? ref.length > FRAME_REF_MAX_LENGTH : !Number.isSafeInteger(ref)) {
    throw fieldError(INVALID, 'ref', `must be a string of at most ${FRAME_REF_MAX_LENGTH} characters or an integer`);
  }
  return { ...f, ref: ref as FrameRef };
}
