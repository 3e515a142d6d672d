import { describe, expect, it } from 'vitest';
import { type SseEvent, SseParser } from './sse-parser.js';

interface Parsed {
  events: SseEvent[];
  comments: string[];
  retries: number[];
  lastEventId: string | undefined;
}

function parse(chunks: readonly string[]): Parsed {
  const out: Parsed = { events: [], comments: [], retries: [], lastEventId: undefined };
  const parser = new SseParser({
    event: (e) => out.events.push(e),
    comment: (c) => out.comments.push(c),
    retry: (ms) => out.retries.push(ms),
  });
  for (const chunk of chunks) parser.feed(chunk);
  out.lastEventId = parser.lastEventId;
  return out;
}

const STREAM =
  '\uFEFFretry: 1500\r\n: hello\r\n\r\n' +
  'id: 1\nevent: price\ndata: {"a":1}\n\n' +
  'data: line one\rdata: line two\r\rid: 2\r\n' +
  'data:no-space\r\ndata:  two spaces\r\n\r\n' +
  ':heartbeat\n\n' +
  'id: 3\n\n' +
  'data\n\n' +
  'event: reset\nid: 4\ndata: {"lost":true}\n\n' +
  'data: unterminated';

const EXPECTED: Parsed = {
  events: [
    { id: '1', event: 'price', data: '{"a":1}' },
    { event: 'message', data: 'line one\nline two' },
    { id: '2', event: 'message', data: 'no-space\n two spaces' },
    { event: 'message', data: '' },
    { id: '4', event: 'reset', data: '{"lost":true}' },
  ],
  comments: ['hello', 'heartbeat'],
  retries: [1500],
  lastEventId: '4',
};

describe('SseParser', () => {
  it('parses a stream mixing LF, CR and CRLF, comments, retry, ids, multi-line data and a BOM', () => {
    expect(parse([STREAM])).toEqual(EXPECTED);
  });

  it('gives the same result however the stream is split into two chunks', () => {
    for (let i = 0; i <= STREAM.length; i++) expect(parse([STREAM.slice(0, i), STREAM.slice(i)]), `split at ${i}`).toEqual(EXPECTED);
  });

  it('gives the same result fed one character at a time, or in chunks of three', () => {
    expect(parse([...STREAM])).toEqual(EXPECTED);
    expect(parse(STREAM.match(/[\s\S]{1,3}/g) ?? [])).toEqual(EXPECTED);
  });

  it('treats a CR at the end of one chunk and an LF at the start of the next as one line break', () => {
    expect(parse(['data: a\r', '\ndata: b\r', '\n\r', '\n']).events).toEqual([{ event: 'message', data: 'a\nb' }]);
  });

  it('treats a lone CR then an empty chunk then data as two line breaks only when they are two', () => {
    expect(parse(['data: a\r', '', '\r']).events).toEqual([{ event: 'message', data: 'a' }]);
  });

  it('strips a BOM only at the very start of the stream', () => {
    expect(parse(['\uFEFF', 'data: x\n\n']).events).toEqual([{ event: 'message', data: 'x' }]);
    expect(parse(['data: \uFEFFx\n\n']).events).toEqual([{ event: 'message', data: '\uFEFFx' }]);
  });

  it('ignores retry values that are not all ASCII digits', () => {
    expect(parse(['retry: 10a\nretry: -5\nretry: 1.5\nretry:\nretry: 250\n\n']).retries).toEqual([250]);
  });

  it('ignores an id containing NUL and keeps the previous one', () => {
    const parsed = parse(['id: good\ndata: a\n\nid: b\0d\ndata: b\n\n']);
    expect(parsed.events).toEqual([
      { id: 'good', event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
    ]);
    expect(parsed.lastEventId).toBe('good');
  });

  it('lets an empty id reset the last event id', () => {
    expect(parse(['id: 7\ndata: a\n\nid\ndata: b\n\n']).lastEventId).toBe('');
  });

  it('ignores unknown fields and removes only one leading space of a value', () => {
    expect(parse(['foo: bar\nevent:  spaced\ndata:   x\n\n']).events).toEqual([{ event: ' spaced', data: '  x' }]);
  });

  it('does not dispatch an unterminated last block', () => {
    expect(parse(['data: a\n\ndata: b\n']).events).toEqual([{ event: 'message', data: 'a' }]);
  });

  it('resets the event type after each dispatch', () => {
    expect(parse(['event: one\ndata: 1\n\ndata: 2\n\n']).events.map((e) => e.event)).toEqual(['one', 'message']);
  });
});
