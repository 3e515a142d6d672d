import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { encodeSseComment, encodeSseEvent, encodeSseId, encodeSseRetry } from './sse.js';
import { catchTidings, nastyStringArb } from './spec-support/arbitraries.js';

interface ParsedEvent {
  type: string;
  data: string;
  lastEventId: string;
}

/**
 * An event-stream parser written from WHATWG HTML §9.2.6 "Interpreting an event stream", to
 * check the encoder against the spec rather than against itself.
 */
function parseEventStream(stream: string): { events: ParsedEvent[]; lastEventId: string; retry?: number } {
  const events: ParsedEvent[] = [];
  let data = '';
  let type = '';
  let lastEventIdBuffer = '';
  let lastEventId = '';
  let retry: number | undefined;
  const lines = stream.split(/\r\n|\r|\n/);
  lines.pop(); // text after the last line break is an incomplete line: discarded at end of stream
  for (const line of lines) {
    if (line === '') {
      lastEventId = lastEventIdBuffer;
      if (data !== '') events.push({ type: type || 'message', data: data.endsWith('\n') ? data.slice(0, -1) : data, lastEventId });
      data = '';
      type = '';
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') type = value;
    else if (field === 'data') data += `${value}\n`;
    else if (field === 'id' && !value.includes('\0')) lastEventIdBuffer = value;
    else if (field === 'retry' && /^[0-9]+$/.test(value)) retry = Number(value);
  }
  return { events, lastEventId, ...(retry === undefined ? {} : { retry }) };
}

const lineBreaksAsLf = (s: string) => s.replace(/\r\n|\r/g, '\n');
const fieldSafeArb = nastyStringArb.filter((s) => !/[\r\n\0]/.test(s));

describe('encodeSseEvent', () => {
  it.each([
    [{ data: 'hi' }, 'data: hi\n\n'],
    [{ data: '' }, 'data: \n\n'],
    [{ id: 'MQowLjA', event: 'message', data: '{"a":1}' }, 'id: MQowLjA\nevent: message\ndata: {"a":1}\n\n'],
    [{ data: 'a\nb' }, 'data: a\ndata: b\n\n'],
    [{ data: 'a\r\nb' }, 'data: a\ndata: b\n\n'],
    [{ data: 'a\rb' }, 'data: a\ndata: b\n\n'],
    [{ data: 'a\n' }, 'data: a\ndata: \n\n'],
    [{ data: ' lead: colon' }, 'data:  lead: colon\n\n'],
  ])('encodes %j', (event, expected) => {
    expect(encodeSseEvent(event)).toBe(expected);
  });

  it.each([
    ['id with LF', { id: 'a\nb', data: '' }, 'TIDINGS_EVENT_ID_INVALID'],
    ['id with CR', { id: 'a\rb', data: '' }, 'TIDINGS_EVENT_ID_INVALID'],
    ['id with NUL', { id: 'a\0b', data: '' }, 'TIDINGS_EVENT_ID_INVALID'],
    ['event with LF', { event: 'a\nb', data: '' }, 'TIDINGS_EVENT_NAME_INVALID'],
    ['event with CR', { event: 'a\r', data: '' }, 'TIDINGS_EVENT_NAME_INVALID'],
    ['event with NUL', { event: '\0', data: '' }, 'TIDINGS_EVENT_NAME_INVALID'],
  ])('refuses an %s', (_label, event, code) => {
    expect(catchTidings(() => encodeSseEvent(event)).code).toBe(code);
  });

  it('is read back by a spec-faithful parser: data with any line breaks, colons and spaces', () => {
    fc.assert(
      fc.property(fc.option(fieldSafeArb, { nil: undefined }), fc.option(fieldSafeArb, { nil: undefined }), nastyStringArb, (id, event, data) => {
        const { events, lastEventId } = parseEventStream(encodeSseEvent({ id, event, data }));
        expect(events).toEqual([{ type: event || 'message', data: lineBreaksAsLf(data), lastEventId: id ?? '' }]);
        expect(lastEventId).toBe(id ?? '');
      }),
    );
  });

  it('never emits a raw CR, nor a line that is not one of its own fields', () => {
    fc.assert(
      fc.property(fc.option(fieldSafeArb, { nil: undefined }), nastyStringArb, (id, data) => {
        const out = encodeSseEvent({ id, data });
        expect(out).not.toContain('\r');
        expect(out.endsWith('\n\n')).toBe(true);
        for (const line of out.slice(0, -2).split('\n')) expect(line).toMatch(/^(id|event|data): /);
      }),
    );
  });

  it('keeps a stream of events, comments and ids apart', () => {
    const stream =
      encodeSseRetry(2500) +
      encodeSseId('c0') +
      encodeSseComment('hello\nworld') +
      encodeSseEvent({ id: 'c1', event: 'news', data: 'one\r\ntwo' }) +
      encodeSseComment('') +
      encodeSseEvent({ data: '' });
    expect(parseEventStream(stream)).toEqual({
      events: [
        { type: 'news', data: 'one\ntwo', lastEventId: 'c1' },
        { type: 'message', data: '', lastEventId: 'c1' },
      ],
      lastEventId: 'c1',
      retry: 2500,
    });
  });
});

describe('encodeSseComment', () => {
  it.each([
    ['hb', ': hb\n\n'],
    ['', ': \n\n'],
    ['a\r\nb\rc\nd', ': a  b c d\n\n'],
  ])('encodes %j', (text, expected) => {
    expect(encodeSseComment(text)).toBe(expected);
  });

  it('is ignored by clients whatever its text', () => {
    fc.assert(
      fc.property(nastyStringArb, (text) => {
        const out = encodeSseComment(text);
        expect(out.slice(0, -2)).not.toMatch(/[\r\n]/);
        expect(parseEventStream(out)).toEqual({ events: [], lastEventId: '' });
      }),
    );
  });
});

describe('encodeSseRetry', () => {
  it.each([
    [0, 'retry: 0\n\n'],
    [3000, 'retry: 3000\n\n'],
    [Number.MAX_SAFE_INTEGER, `retry: ${Number.MAX_SAFE_INTEGER}\n\n`],
  ])('encodes %d', (ms, expected) => {
    expect(encodeSseRetry(ms)).toBe(expected);
    expect(parseEventStream(expected).retry).toBe(ms);
  });

  it.each([-1, 1.5, NaN, Infinity, 1e21, 2 ** 53])('throws RangeError for %d', (ms) => {
    expect(() => encodeSseRetry(ms)).toThrow(RangeError);
  });
});

describe('encodeSseId', () => {
  it('sets the last event id without dispatching an event', () => {
    expect(encodeSseId('MQowLjA')).toBe('id: MQowLjA\n\n');
    expect(parseEventStream(encodeSseId('MQowLjA'))).toEqual({ events: [], lastEventId: 'MQowLjA' });
  });

  it('round-trips any id without CR, LF or NUL and refuses the rest', () => {
    fc.assert(
      fc.property(nastyStringArb, (id) => {
        if (/[\r\n\0]/.test(id)) expect(catchTidings(() => encodeSseId(id)).code).toBe('TIDINGS_EVENT_ID_INVALID');
        else expect(parseEventStream(encodeSseId(id)).lastEventId).toBe(id);
      }),
    );
  });
});
