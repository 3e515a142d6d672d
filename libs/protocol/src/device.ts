// Device ids name a subscriber across connections (membership, receipts, presence, durable
// patterns). They end up in Redis hash fields, JSON and the hash tag of a device's own keys
// (`{d:<device>}`), so they never hold braces or spaces.
import { TidingsError } from './errors.js';

export const DEVICE_MAX_LENGTH = 128;
const DEVICE_RE = /^[A-Za-z0-9_.:@-]{1,128}$/;

export function isDeviceId(s: unknown): s is string {
  return typeof s === 'string' && DEVICE_RE.test(s);
}

export function parseDeviceId(s: unknown): string {
  if (isDeviceId(s)) return s;
  throw new TidingsError('TIDINGS_DEVICE_INVALID', `device ids are 1-${DEVICE_MAX_LENGTH} characters of A-Z a-z 0-9 _ . : @ -`);
}
