// The body of POST /v1/channels/{channel}/events/{id}/receipts: a device's own word on an event.
import { ACK_DETAIL_MAX_LENGTH, ACK_STATUSES, type AckStatus } from './client-frame.js';
import { parseDeviceId } from './device.js';
import { TidingsError } from './errors.js';
import { type BodyLimits, DEFAULT_BODY_LIMITS, isJsonObject, parseJsonStrict } from './json-value.js';

export interface ReceiptRequest {
  readonly device: string;
  readonly status: AckStatus;
  readonly detail?: string;
}

const KEYS = ['device', 'status', 'detail'];

export function parseReceiptBody(body: Uint8Array, limits: BodyLimits = DEFAULT_BODY_LIMITS): ReceiptRequest {
  const value = parseJsonStrict(body, limits);
  if (!isJsonObject(value)) throw new TidingsError('TIDINGS_BODY_INVALID', 'a receipt is a JSON object { "device", "status", "detail"? }');
  const unknown = Object.keys(value).find((k) => !KEYS.includes(k));
  if (unknown !== undefined) throw new TidingsError('TIDINGS_BODY_INVALID', `${unknown}: unknown field`);
  const device = parseDeviceId(value['device']);
  const status = value['status'] ?? 'received';
  if (!ACK_STATUSES.includes(status as AckStatus)) throw new TidingsError('TIDINGS_BODY_INVALID', `status: must be one of ${ACK_STATUSES.join(', ')}`);
  const detail = value['detail'];
  if (detail === undefined) return { device, status: status as AckStatus };
  if (typeof detail !== 'string' || detail.length > ACK_DETAIL_MAX_LENGTH) {
    throw new TidingsError('TIDINGS_BODY_INVALID', `detail: must be a string of at most ${ACK_DETAIL_MAX_LENGTH} characters`);
  }
  return { device, status: status as AckStatus, detail };
}
