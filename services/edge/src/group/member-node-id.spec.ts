import { describe, expect, it } from 'vitest';
import { memberNodeId } from './member-node-id.js';

describe('memberNodeId', () => {
  it('numbers the members of a group after its node id, from 1', () => {
    expect([1, 2, 12].map((n) => memberNodeId('edge-a', n))).toEqual(['edge-a-1', 'edge-a-2', 'edge-a-12']);
  });

  it('shortens a long node id so that the member id still fits 64 characters and stays distinct', () => {
    const long = 'n'.repeat(64);
    expect(memberNodeId(long, 3)).toBe(`${'n'.repeat(62)}-3`);
    expect(memberNodeId(long, 100)).toBe(`${'n'.repeat(60)}-100`);
  });
});
