import { describe, expect, it } from 'vitest';
import { clientAddress } from './client-address.js';

describe('clientAddress', () => {
  it('is the peer when the peer is not a trusted proxy, whatever X-Forwarded-For says', () => {
    expect(clientAddress('203.0.113.7', '198.51.100.1', ['10.0.0.1'])).toBe('203.0.113.7');
  });

  it('is the right-most untrusted hop behind trusted proxies', () => {
    expect(clientAddress('10.0.0.1', 'spoofed, 198.51.100.1, 10.0.0.2', ['10.0.0.1', '10.0.0.2'])).toBe('198.51.100.1');
  });

  it('reads IPv4 peers on dual-stack sockets as IPv4', () => {
    expect(clientAddress('::ffff:10.0.0.1', '198.51.100.1', ['10.0.0.1'])).toBe('198.51.100.1');
  });

  it('falls back to the peer when every hop is a trusted proxy or the header is missing', () => {
    expect(clientAddress('10.0.0.1', '10.0.0.2', ['10.0.0.1', '10.0.0.2'])).toBe('10.0.0.1');
    expect(clientAddress('10.0.0.1', undefined, ['10.0.0.1'])).toBe('10.0.0.1');
  });
});
