// Device ids name a subscriber across connections (membership, receipts, presence). They end up
// in Redis hash fields and JSON, never in keys, but share the channel charset's caution.
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
