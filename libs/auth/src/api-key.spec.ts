import { describe, expect, it } from 'vitest';
import { generateApiKey, isApiKeyShaped, parseApiKey, secretMatches } from './api-key.js';

describe('API keys', () => {
  it('parse back into the id they were made with, and their secret matches the stored hash', () => {
    const made = generateApiKey();
    const parsed = parseApiKey(made.key);
    expect(parsed?.id).toBe(made.id);
    expect(secretMatches(parsed!.secret, made.secretHash)).toBe(true);
    expect(made.key).not.toContain(made.secretHash);
  });

  it('refuse a wrong secret and malformed keys', () => {
    const made = generateApiKey();
    const other = parseApiKey(generateApiKey().key)!;
    expect(secretMatches(other.secret, made.secretHash)).toBe(false);
    for (const bad of ['tk_', `tk_${made.id}`, `${made.key}x`, made.key.replace('tk_', 'tx_'), 'a.b.c']) expect(parseApiKey(bad)).toBeUndefined();
  });

  it('never look like a JWT', () => {
    expect(isApiKeyShaped(generateApiKey().key)).toBe(true);
    expect(isApiKeyShaped('eyJhbGciOiJIUzI1NiJ9.e30.sig')).toBe(false);
  });
});
