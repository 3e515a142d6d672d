import { describe, expect, it } from 'vitest';
import { encodeClientFrame } from './ws-client-frame.js';
import { OPCODE_PONG, OPCODE_TEXT } from './ws-frame-reader.js';

/** Decodes one masked client frame the way a server must. */
function decode(frame: Buffer): { fin: boolean; opcode: number; payload: Buffer } {
  expect(frame[1]! & 0x80).toBe(0x80);
  let length = frame[1]! & 0x7f;
  let at = 2;
  if (length === 126) {
    length = frame.readUInt16BE(2);
    at = 4;
  } else if (length === 127) {
    length = Number(frame.readBigUInt64BE(2));
    at = 10;
  }
  const mask = frame.subarray(at, at + 4);
  const payload = Buffer.from(frame.subarray(at + 4, at + 4 + length).map((b, i) => b ^ mask[i & 3]!));
  expect(frame.length).toBe(at + 4 + length);
  return { fin: (frame[0]! & 0x80) !== 0, opcode: frame[0]! & 0x0f, payload };
}

describe('encodeClientFrame', () => {
  it('masks every payload size form so that a server reads back the same bytes', () => {
    for (const size of [0, 5, 125, 126, 65535, 65536]) {
      const payload = Buffer.alloc(size, 0x5a);
      const decoded = decode(encodeClientFrame(OPCODE_TEXT, payload));
      expect(decoded).toEqual({ fin: true, opcode: OPCODE_TEXT, payload });
    }
  });

  it('uses the mask it is given, and a fresh one otherwise', () => {
    const frame = encodeClientFrame(OPCODE_PONG, Buffer.from('hi'), Uint8Array.of(0, 0, 0, 0));
    expect([...frame]).toEqual([0x8a, 0x82, 0, 0, 0, 0, 0x68, 0x69]);
    const a = encodeClientFrame(OPCODE_TEXT, Buffer.from('same'));
    const b = encodeClientFrame(OPCODE_TEXT, Buffer.from('same'));
    expect(decode(a).payload.equals(decode(b).payload)).toBe(true);
  });
});
