import { describe, expect, it } from 'vitest';
import { isDeviceId } from './device.js';
import { isTidingsError } from './errors.js';
import { parseReceiptBody } from './receipt-request.js';

const body = (s: string) => new TextEncoder().encode(s);
const codeOf = (s: string) => {
  try {
    parseReceiptBody(body(s));
  } catch (error) {
    return isTidingsError(error) ? error.code : 'not a TidingsError';
  }
  return 'accepted';
};

describe('device ids', () => {
  it.each(['phone-1', 'user@example.org', 'a.b:c_d', 'x'.repeat(128)])('accepts %s', (id) => expect(isDeviceId(id)).toBe(true));
  it.each(['', 'x'.repeat(129), 'a b', 'a/b', 'a{b}', 'é', 'a\nb', 42])('refuses %j', (id) => expect(isDeviceId(id)).toBe(false));
});

describe('receipt bodies', () => {
  it('reads device, status (received by default) and detail', () => {
    expect(parseReceiptBody(body('{"device":"d1"}'))).toEqual({ device: 'd1', status: 'received' });
    expect(parseReceiptBody(body('{"device":"d1","status":"failed","detail":"disk full"}'))).toEqual({ device: 'd1', status: 'failed', detail: 'disk full' });
  });

  it.each([
    ['not JSON', 'hi', 'TIDINGS_BODY_INVALID'],
    ['an array', '[]', 'TIDINGS_BODY_INVALID'],
    ['no device', '{"status":"received"}', 'TIDINGS_DEVICE_INVALID'],
    ['a bad device', '{"device":"a b"}', 'TIDINGS_DEVICE_INVALID'],
    ['an unknown status', '{"device":"d","status":"seen"}', 'TIDINGS_BODY_INVALID'],
    ['dead is not the device\'s to say', '{"device":"d","status":"dead"}', 'TIDINGS_BODY_INVALID'],
    ['a long detail', `{"device":"d","detail":"${'x'.repeat(1025)}"}`, 'TIDINGS_BODY_INVALID'],
    ['an unknown field', '{"device":"d","extra":1}', 'TIDINGS_BODY_INVALID'],
  ])('refuses %s', (_name, text, code) => expect(codeOf(text)).toBe(code));
});
