import { describe, expect, it } from 'vitest';
import { ResponseHeadError, ResponseHeadReader } from './response-head-reader.js';

const HEAD = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: abc=\r\n\r\n';

describe('ResponseHeadReader', () => {
  it('says where the body starts, wherever the head is split', () => {
    const stream = Buffer.from(`${HEAD}BODY`, 'latin1');
    for (let cut = 1; cut < stream.length; cut++) {
      const reader = new ResponseHeadReader();
      const first = reader.feed(stream, 0, cut);
      const bodyAt = first >= 0 ? first : reader.feed(stream, cut, stream.length);
      expect(stream.subarray(bodyAt).toString('latin1')).toBe('BODY');
      expect(reader.status).toBe(101);
      expect(reader.header('sec-websocket-accept')).toBe('abc=');
    }
  });

  it('refuses what is not an HTTP response, and a head without an end', () => {
    expect(() => new ResponseHeadReader().feed(Buffer.from('SSH-2.0-x\r\n\r\n'), 0, 13)).toThrow(ResponseHeadError);
    const long = Buffer.alloc(20_000, 0x61);
    expect(() => new ResponseHeadReader().feed(long, 0, long.length)).toThrow(ResponseHeadError);
  });
});
