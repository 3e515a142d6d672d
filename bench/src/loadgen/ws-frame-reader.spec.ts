import { describe, expect, it } from 'vitest';
import { eventData } from './event-data.js';
import { MarkerScanner } from './marker-scanner.js';
import { OPCODE_BINARY, OPCODE_CLOSE, OPCODE_CONTINUATION, OPCODE_PING, OPCODE_TEXT, WsFrameReader } from './ws-frame-reader.js';

/** An unmasked (server) frame. */
function frame(opcode: number, payload: Uint8Array | string, fin = true): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  const n = data.length;
  const head = n < 126 ? Buffer.from([0, n]) : n < 65536 ? Buffer.from([0, 126, n >> 8, n & 0xff]) : Buffer.alloc(10);
  if (n >= 65536) {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  head[0] = (fin ? 0x80 : 0) | opcode;
  return Buffer.concat([head, data]);
}

interface Seen {
  messages: string[];
  controls: Array<[number, string]>;
  violations: string[];
}

function read(chunks: readonly Uint8Array[]): Seen {
  const seen: Seen = { messages: [], controls: [], violations: [] };
  const reader = new WsFrameReader({
    dataStart: (opcode) => {
      if (opcode !== OPCODE_CONTINUATION) seen.messages.push('');
    },
    data: (bytes, start, end) => {
      seen.messages[seen.messages.length - 1] += Buffer.from(bytes.subarray(start, end)).toString('latin1');
    },
    dataEnd: () => undefined,
    control: (opcode, payload) => seen.controls.push([opcode, Buffer.from(payload).toString('latin1')]),
    violation: (reason) => seen.violations.push(reason),
  });
  for (const chunk of chunks) reader.feed(chunk, 0, chunk.length);
  return seen;
}

function splits(stream: Buffer): Buffer[][] {
  const out: Buffer[][] = [[stream]];
  for (let cut = 1; cut < stream.length; cut++) out.push([stream.subarray(0, cut), stream.subarray(cut)]);
  return out;
}

describe('WsFrameReader', () => {
  it('hands on every payload size form (7-bit, 16-bit, 64-bit lengths) intact', () => {
    for (const size of [0, 1, 125, 126, 65535, 65536, 70000]) {
      const text = 'a'.repeat(size);
      expect(read([frame(OPCODE_TEXT, text)]).messages).toEqual([text]);
    }
  });

  it('reads the same frames wherever the bytes are split', () => {
    const stream = Buffer.concat([frame(OPCODE_TEXT, 'hello'), frame(OPCODE_PING, 'p1'), frame(OPCODE_TEXT, 'x'.repeat(300)), frame(OPCODE_BINARY, 'b')]);
    const expected = read([stream]);
    expect(expected.messages).toEqual(['hello', 'x'.repeat(300), 'b']);
    expect(expected.controls).toEqual([[OPCODE_PING, 'p1']]);
    for (const chunks of splits(stream)) expect(read(chunks)).toEqual(expected);
    expect(read(Array.from(stream, (b) => Uint8Array.of(b)))).toEqual(expected);
  });

  it('joins a fragmented message and delivers a control frame sent between its fragments', () => {
    const stream = Buffer.concat([frame(OPCODE_TEXT, 'ab', false), frame(OPCODE_PING, ''), frame(OPCODE_CONTINUATION, 'cd')]);
    const seen = read([stream]);
    expect(seen.messages).toEqual(['abcd']);
    expect(seen.controls).toEqual([[OPCODE_PING, '']]);
  });

  it('passes a close frame with its code', () => {
    const seen = read([frame(OPCODE_CLOSE, Buffer.from([0x11, 0x94, 0x62, 0x79, 0x65]))]);
    expect(seen.controls).toEqual([[OPCODE_CLOSE, '\x11\x94bye']]);
  });

  it('reports a masked server frame, reserved bits and oversized control frames as violations and stops', () => {
    expect(read([Buffer.from([0x81, 0x81, 1, 2, 3, 4, 0x41])]).violations).toHaveLength(1);
    expect(read([Buffer.from([0xc1, 0x01, 0x41])]).violations).toHaveLength(1);
    const seen = read([frame(OPCODE_PING, 'x'.repeat(126)), frame(OPCODE_TEXT, 'after')]);
    expect(seen.violations).toHaveLength(1);
    expect(seen.messages).toEqual([]);
  });

  it('lets the marker scanner find every event even when a frame header byte reads as "q"', () => {
    // A 113-byte payload has 0x71 ('q') as its length byte, just before the marker of a raw message.
    const payloads = [eventData(1, 111, 113), eventData(2, 222, 113), eventData(3, 333, 64)];
    expect(frame(OPCODE_TEXT, payloads[0]!)[1]).toBe(0x71);
    const stream = Buffer.concat(payloads.map((p) => frame(OPCODE_TEXT, p)));
    for (const chunks of splits(stream)) {
      const found: Array<[number, number]> = [];
      const scanner = new MarkerScanner(true, (seq, sent) => found.push([seq, sent]));
      const reader = new WsFrameReader({
        dataStart: () => scanner.reset(),
        data: (bytes, start, end) => scanner.scan(bytes, start, end),
        dataEnd: () => undefined,
        control: () => undefined,
        violation: (reason) => {
          throw new Error(reason);
        },
      });
      for (const chunk of chunks) reader.feed(chunk, 0, chunk.length);
      expect(found).toEqual([
        [1, 111],
        [2, 222],
        [3, 333],
      ]);
    }
  });
});
