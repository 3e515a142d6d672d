import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from './webhook-signature.js';

const secret = 'a-long-enough-secret';
const body = '{"type":"tidings.dead_letters"}';

describe('webhook signatures', () => {
  it('verifies what it signs', () => {
    expect(verifyWebhook(secret, signWebhook(secret, body, 1_000), body, 300, 1_000)).toBe(true);
  });

  it('rejects another secret, another body, or a tampered signature', () => {
    const header = signWebhook(secret, body, 1_000);
    expect(verifyWebhook('another-secret-entirely', header, body, 300, 1_000)).toBe(false);
    expect(verifyWebhook(secret, header, `${body} `, 300, 1_000)).toBe(false);
    expect(verifyWebhook(secret, header.replace(/.$/, (c) => (c === '0' ? '1' : '0')), body, 300, 1_000)).toBe(false);
  });

  it('rejects a signature outside the tolerance (a replay) and malformed headers', () => {
    expect(verifyWebhook(secret, signWebhook(secret, body, 1_000), body, 300, 1_301)).toBe(false);
    expect(verifyWebhook(secret, undefined, body)).toBe(false);
    expect(verifyWebhook(secret, 't=1,v1=zz', body)).toBe(false);
  });
});
