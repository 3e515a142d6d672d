import { describe, expect, it } from 'vitest';
import { SseIdReader } from './sse-id-reader.js';

const feedAll = (reader: SseIdReader, text: string, splitAt: number[] = []) => {
  const bytes = Buffer.from(text);
  let from = 0;
  for (const at of [...splitAt, bytes.length]) {
    reader.feed(bytes, from, at);
    from = at;
  }
};

describe('SseIdReader', () => {
  it('keeps the last id line, whether or not data follows it', () => {
    const reader = new SseIdReader();
    feedAll(reader, 'retry: 1000\n\nid: c1\n\n: heartbeat\n\nid: 17-0\nevent: message\ndata: {"id":"x"}\n\n');
    expect(reader.last).toBe('17-0');
  });

  it('reads an id split across reads, and ignores chunk-size lines and fields that only contain "id: "', () => {
    const reader = new SseIdReader('start');
    feedAll(reader, '1a\r\ndata: id: no\n\nxid: no\n\r\n20\r\nid: abc-1\n\n', [6, 33, 36]);
    expect(reader.last).toBe('abc-1');
  });

  it('keeps its starting position until an id line is complete', () => {
    const reader = new SseIdReader('start');
    feedAll(reader, 'id: half');
    expect(reader.last).toBe('start');
  });
});
