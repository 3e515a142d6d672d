import { describe, expect, it } from 'vitest';
import { closeReason } from './close-reason.js';

describe('closeReason', () => {
  it('keeps a short reason and cuts a long one to 123 bytes without splitting a character', () => {
    expect(closeReason('slow consumer')).toBe('slow consumer');
    const cut = closeReason(`topic ${'é'.repeat(100)} is not a channel`);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(123);
    expect(cut).toMatch(/^topic é+$/);
  });
});
