import { describe, expect, it } from 'vitest';
import { type SseMessage, SseParser } from './sse-parser.js';

function collect(lastEventId?: string) {
  const messages: SseMessage[] = [];
  const retries: number[] = [];
  const comments: string[] = [];
  const ids: string[] = [];
  const parser = new SseParser(
    {
      message: (m) => messages.push(m),
      retry: (ms) => retries.push(ms),
      comment: (c) => comments.push(c),
      id: (id) => ids.push(id),
    },
    lastEventId,
  );
  return { parser, messages, retries, comments, ids };
}

describe('SseParser', () => {
  it('dispatches an event with its type, data and id on a blank line', () => {
    const { parser, messages } = collect();
    parser.feed('id: c1\nevent: news\ndata: {"a":1}\n\n');
    expect(messages).toEqual([{ type: 'news', data: '{"a":1}', lastEventId: 'c1' }]);
  });

  it("calls an event without an event field 'message'", () => {
    const { parser, messages } = collect();
    parser.feed('data: hi\n\n');
    expect(messages).toEqual([{ type: 'message', data: 'hi', lastEventId: '' }]);
  });

  it('joins several data lines with LF and drops only the final LF', () => {
    const { parser, messages } = collect();
    parser.feed('data: one\ndata:two\ndata\ndata:  three\n\n');
    expect(messages[0]?.data).toBe('one\ntwo\n\n three');
  });

  it('treats CR, LF and CRLF alike as line ends, even when CRLF is split across chunks', () => {
    const { parser, messages } = collect();
    parser.feed('data: a\r\n\rdata: b\r');
    parser.feed('\n\r');
    parser.feed('\ndata: c\n');
    parser.feed('\n');
    expect(messages.map((m) => m.data)).toEqual(['a', 'b', 'c']);
  });

  it('handles a stream fed one character at a time', () => {
    const { parser, messages } = collect();
    for (const ch of 'id: 7\r\nevent: x\r\ndata: y\r\n\r\n') parser.feed(ch);
    expect(messages).toEqual([{ type: 'x', data: 'y', lastEventId: '7' }]);
  });

  it('strips one leading BOM and no other', () => {
    const { parser, messages } = collect();
    parser.feed('\uFEFFdata: a\n\n');
    parser.feed('\uFEFFdata: b\n\n');
    expect(messages.map((m) => m.data)).toEqual(['a']);
  });

  it('keeps the last event id for later events and moves it with an id-only block', () => {
    const { parser, messages, ids } = collect();
    parser.feed('id: open-cursor\n\n');
    expect(parser.lastEventId).toBe('open-cursor');
    expect(ids).toEqual(['open-cursor']);
    expect(messages).toEqual([]);
    parser.feed('data: x\n\n');
    expect(messages[0]?.lastEventId).toBe('open-cursor');
  });

  it('ignores an id containing NUL and allows an empty id to clear it', () => {
    const { parser } = collect('start');
    parser.feed('id: a\0b\n\n');
    expect(parser.lastEventId).toBe('start');
    parser.feed('id\n\n');
    expect(parser.lastEventId).toBe('');
  });

  it('accepts retry only as ASCII digits', () => {
    const { parser, retries } = collect();
    parser.feed('retry: 1500\nretry: 15x\nretry: -1\nretry:\nretry: 20\n\n');
    expect(retries).toEqual([1500, 20]);
  });

  it('reports comments (heartbeats) without dispatching', () => {
    const { parser, messages, comments } = collect();
    parser.feed(': hb\n\n:\n');
    expect(comments).toEqual([' hb', '']);
    expect(messages).toEqual([]);
  });

  it('dispatches an event whose only data line is empty, as an empty string', () => {
    const { parser, messages } = collect();
    parser.feed('data:\n\n');
    expect(messages).toEqual([{ type: 'message', data: '', lastEventId: '' }]);
  });

  it('forgets the event type of a block that had no data', () => {
    const { parser, messages } = collect();
    parser.feed('event: reset\n\ndata: x\n\n');
    expect(messages[0]?.type).toBe('message');
  });

  it('ignores unknown fields and a field without a colon other than data', () => {
    const { parser, messages } = collect();
    parser.feed('foo: bar\nevent\ndata: ok\n\n');
    expect(messages).toEqual([{ type: 'message', data: 'ok', lastEventId: '' }]);
  });

  it('drops a half-read event on restart() but keeps the last event id', () => {
    const { parser, messages } = collect();
    parser.feed('id: 1\ndata: whole\n\nid: 2\ndata: half');
    parser.restart();
    parser.feed('data: next\n\n');
    expect(messages.map((m) => [m.data, m.lastEventId])).toEqual([
      ['whole', '1'],
      ['next', '1'],
    ]);
  });

  it('strips a BOM again at the start of a restarted stream', () => {
    const { parser, messages } = collect();
    parser.feed('data: a\n\n');
    parser.restart();
    parser.feed('\uFEFFdata: b\n\n');
    expect(messages.map((m) => m.data)).toEqual(['a', 'b']);
  });
});
