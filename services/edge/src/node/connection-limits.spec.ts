import { describe, expect, it } from 'vitest';
import { ConnectionLimits } from './connection-limits.js';

describe('ConnectionLimits', () => {
  it('refuses the connection past each limit and counts a release once', () => {
    const limits = new ConnectionLimits(2, 3);
    const first = limits.acquire('sub:a', '10.0.0.1');
    limits.acquire('sub:a', '10.0.0.1');
    expect(() => limits.acquire('sub:a', '10.0.0.2')).toThrow(expect.objectContaining({ code: 'TIDINGS_TOO_MANY_CONNECTIONS' }));
    limits.acquire('sub:b', '10.0.0.1');
    expect(() => limits.acquire('sub:c', '10.0.0.1')).toThrow(expect.objectContaining({ code: 'TIDINGS_TOO_MANY_CONNECTIONS' }));
    first();
    first();
    expect(() => limits.acquire('sub:a', '10.0.0.9')).not.toThrow();
    expect(() => limits.acquire('sub:a', '10.0.0.9')).toThrow();
  });

  it('does not count anonymous connections per principal, and 0 means no limit', () => {
    const limits = new ConnectionLimits(1, 0);
    for (let i = 0; i < 5; i++) limits.acquire(undefined, '10.0.0.1');
    limits.acquire('key:k', '10.0.0.1');
    expect(() => limits.acquire('key:k', '10.0.0.1')).toThrow();
  });
});
