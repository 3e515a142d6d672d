import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultNodeId } from './shared-options.js';

describe('defaultNodeId', () => {
  it('is hostname-pid', () => {
    expect(defaultNodeId('web-1', 42)).toBe('web-1-42');
    expect(defaultNodeId()).toBe(`${hostname().replace(/[^A-Za-z0-9_.-]/g, '-')}-${process.pid}`.slice(-64));
  });

  it('fits the node id charset and length whatever the hostname', () => {
    expect(defaultNodeId('böse host', 7)).toBe('b-se-host-7');
    expect(defaultNodeId('h'.repeat(80), 123456)).toBe(`${'h'.repeat(57)}-123456`);
    expect(defaultNodeId('', 9)).toBe('edge-9');
  });
});
