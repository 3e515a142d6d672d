import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { base64UrlLength, decodeBase64Url, encodeBase64Url } from './base64url.js';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('base64url', () => {
  // RFC 4648 §10 test vectors, without padding.
  it.each([
    ['', ''],
    ['f', 'Zg'],
    ['fo', 'Zm8'],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg'],
    ['fooba', 'Zm9vYmE'],
    ['foobar', 'Zm9vYmFy'],
  ])('encodes %j as %j and back', (text, encoded) => {
    expect(encodeBase64Url(ascii(text))).toBe(encoded);
    expect(decodeBase64Url(encoded)).toEqual(ascii(text));
  });

  it('uses - and _ instead of + and /', () => {
    expect(encodeBase64Url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
  });

  it.each([
    ['an impossible length', 'Zm9vY'],
    ['padding', 'Zg=='],
    ['the standard alphabet', 'Zm+v'],
    ['a slash', 'Zm/v'],
    ['a space', 'Zm9 v'],
    ['non-ASCII', 'Zm9é'],
    ['non-zero leftover bits', 'Zh'],
  ])('refuses %s', (_label, s) => {
    expect(decodeBase64Url(s)).toBeUndefined();
  });

  it('matches the platform codec and round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const encoded = encodeBase64Url(bytes);
        expect(encoded).toBe(Buffer.from(bytes).toString('base64url'));
        expect(encoded).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(encoded.length).toBe(base64UrlLength(bytes.length));
        expect(decodeBase64Url(encoded)).toEqual(bytes);
      }),
    );
  });

  it('decodes only canonical encodings, so decoding then encoding is the identity', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'AQgw-_Zz09'), maxLength: 40 }), (s) => {
        const bytes = decodeBase64Url(s);
        if (bytes) expect(encodeBase64Url(bytes)).toBe(s);
      }),
    );
  });
});
