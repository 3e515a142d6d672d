// Publish bodies: the JSON envelope, curl-friendly text bodies, and batches. Everything is
// validated before anything is returned, so a caller never half-applies a request.
import { parseChannel } from './channel.js';
import { isTidingsError, type ErrorCode } from './errors.js';
import { EVENT_NAME_DEFAULT, parseEventName } from './event-name.js';
import { fieldError, fieldPath, withFieldPath } from './field-path.js';
import { parseIdempotencyKey } from './idempotency-key.js';
import {
  DEFAULT_BODY_LIMITS,
  decodeUtf8Strict,
  isJsonObject,
  parseJsonStrict,
  parseJsonText,
  type BodyLimits,
  type JsonObject,
  type JsonValue,
} from './json-value.js';

export interface PublishRequest {
  readonly event: string;
  readonly data: JsonValue;
  readonly ack: boolean;
  readonly idempotencyKey?: string;
}

export interface BatchItem extends PublishRequest {
  readonly channel: string;
}

const ENVELOPE_KEYS: readonly string[] = ['event', 'data', 'ack', 'idempotencyKey'];
const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json$/;

/**
 * A JSON content type (application/json or any +json type, any parameters) demands the
 * envelope. Anything else — curl -d sends x-www-form-urlencoded — is taken as the envelope only
 * when it is a JSON object with a "data" key; otherwise the whole body is the text data.
 */
export function parsePublishBody(
  body: Uint8Array,
  contentType: string | undefined,
  limits: BodyLimits = DEFAULT_BODY_LIMITS,
): PublishRequest {
  if (body.length === 0) throw fieldError('TIDINGS_BODY_INVALID', '', 'body is empty');
  if (isJsonContentType(contentType)) {
    const value = parseJsonStrict(body, limits);
    if (!isJsonObject(value)) {
      throw fieldError('TIDINGS_BODY_INVALID', '', 'body must be a JSON object { "event"?, "data", "ack"?, "idempotencyKey"? }');
    }
    return readPublishFields(value, '', 'TIDINGS_BODY_INVALID');
  }
  const text = decodeUtf8Strict(body);
  const envelope = envelopeIn(text, limits);
  return envelope ? readPublishFields(envelope, '', 'TIDINGS_BODY_INVALID') : { event: EVENT_NAME_DEFAULT, data: text, ack: false };
}

/** `{ "events": [ { channel, event?, data, ack?, idempotencyKey? } ] }` with 1..maxBatch items. */
export function parseBatchBody(body: Uint8Array, limits: BodyLimits & { maxBatch: number }): BatchItem[] {
  const value = parseJsonStrict(body, limits);
  if (!isJsonObject(value)) throw fieldError('TIDINGS_BATCH_INVALID', '', 'body must be a JSON object { "events": [...] }');
  rejectUnknownKeys(value, '', ['events'], 'TIDINGS_BATCH_INVALID');
  const events = value['events'];
  if (!Array.isArray(events)) throw fieldError('TIDINGS_BATCH_INVALID', 'events', 'must be an array');
  if (events.length === 0) throw fieldError('TIDINGS_BATCH_INVALID', 'events', 'must hold at least one event');
  if (events.length > limits.maxBatch) {
    throw fieldError('TIDINGS_BATCH_INVALID', 'events', `holds ${events.length} events; at most ${limits.maxBatch} are allowed`);
  }
  return events.map((item, i): BatchItem => {
    const path = `events[${i}]`;
    if (!isJsonObject(item)) throw fieldError('TIDINGS_BATCH_INVALID', path, 'must be a JSON object');
    const channelPath = fieldPath(path, 'channel');
    const raw = item['channel'];
    if (raw === undefined) throw fieldError('TIDINGS_BATCH_INVALID', channelPath, 'is required');
    if (typeof raw !== 'string') throw fieldError('TIDINGS_BATCH_INVALID', channelPath, 'must be a string');
    const channel = withFieldPath(channelPath, () => parseChannel(raw));
    return { channel, ...readPublishFields(item, path, 'TIDINGS_BATCH_INVALID', ['channel']) };
  });
}

/**
 * Reads `{ event?, data, ack?, idempotencyKey? }` (plus `extraKeys` the caller handles) from a
 * parsed object. Shape problems throw `shapeCode`; bad values throw their own codes.
 */
export function readPublishFields(
  obj: JsonObject,
  path: string,
  shapeCode: ErrorCode,
  extraKeys: readonly string[] = [],
): PublishRequest {
  rejectUnknownKeys(obj, path, [...ENVELOPE_KEYS, ...extraKeys], shapeCode);
  if (!Object.hasOwn(obj, 'data')) throw fieldError(shapeCode, fieldPath(path, 'data'), 'is required');
  const data = obj['data'] as JsonValue;
  const event = Object.hasOwn(obj, 'event')
    ? withFieldPath(fieldPath(path, 'event'), () => parseEventName(obj['event']))
    : EVENT_NAME_DEFAULT;
  const ack = Object.hasOwn(obj, 'ack') ? obj['ack'] : false;
  if (typeof ack !== 'boolean') throw fieldError(shapeCode, fieldPath(path, 'ack'), 'must be true or false');
  if (!Object.hasOwn(obj, 'idempotencyKey')) return { event, data, ack };
  const idempotencyKey = withFieldPath(fieldPath(path, 'idempotencyKey'), () => parseIdempotencyKey(obj['idempotencyKey']));
  return { event, data, ack, idempotencyKey };
}

export function rejectUnknownKeys(obj: JsonObject, path: string, allowed: readonly string[], code: ErrorCode): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw fieldError(code, path, `unknown key ${JSON.stringify(key)}; allowed are ${allowed.join(', ')}`);
    }
  }
}

function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const media = (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
  return JSON_MEDIA_TYPE.test(media);
}

// A text body that merely fails to parse as JSON is text, not an error.
function envelopeIn(text: string, limits: BodyLimits): JsonObject | undefined {
  if (!/^[ \t\r\n]*\{/.test(text)) return undefined;
  try {
    const value = parseJsonText(text, limits, 'TIDINGS_BODY_INVALID', 'body');
    return isJsonObject(value) && Object.hasOwn(value, 'data') ? value : undefined;
  } catch (e) {
    if (isTidingsError(e)) return undefined;
    throw e;
  }
}
