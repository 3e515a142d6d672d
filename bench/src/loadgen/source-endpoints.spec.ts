import { describe, expect, it } from 'vitest';
import { sourceEndpoint } from './source-endpoints.js';

describe('sourceEndpoint', () => {
  it('gives every connection its own address and port, 20k ports per address', () => {
    expect(sourceEndpoint(0)).toEqual({ address: '127.0.1.1', port: 10_000 });
    expect(sourceEndpoint(19_999)).toEqual({ address: '127.0.1.1', port: 29_999 });
    expect(sourceEndpoint(20_000)).toEqual({ address: '127.0.1.2', port: 10_000 });
    const seen = new Set<string>();
    let highestPort = 0;
    for (let n = 0; n < 500_000; n += 7) {
      const { address, port } = sourceEndpoint(n);
      seen.add(`${address}:${port}`);
      highestPort = Math.max(highestPort, port);
    }
    expect(seen.size).toBe(Math.ceil(500_000 / 7));
    expect(highestPort).toBeLessThan(32_768); // below the ephemeral range servers listen from
  });

  it('refuses connection numbers past what 254 addresses hold', () => {
    expect(() => sourceEndpoint(254 * 20_000)).toThrow(RangeError);
    expect(() => sourceEndpoint(-1)).toThrow(RangeError);
  });
});
