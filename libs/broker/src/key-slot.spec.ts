import { describe, expect, it } from 'vitest';
import { keySlot } from './key-slot.js';

describe('keySlot', () => {
  it('matches the slots Redis Cluster documents', () => {
    expect(keySlot('123456789')).toBe(12739); // CRC16/XMODEM check value 0x31C3 % 16384
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    expect(keySlot('foo{}{bar}')).toBe(keySlot('foo{}{bar}')); // an empty tag: the whole key counts
    expect(keySlot('tidings:{c:orders}:log')).toBe(keySlot('c:orders'));
  });
});
