import { decodeCursor, encodeCursor, ZERO_ID } from '@tidings/protocol';
import { describe, expect, it } from 'vitest';
import { CursorTracker, mergeCursors } from './cursor-tracker.js';

const cursor = (floor: string, positions: Record<string, string> = {}) => encodeCursor({ floor, positions: new Map(Object.entries(positions)) });
const read = (c: string | undefined) => {
  if (c === undefined) throw new Error('no cursor');
  const d = decodeCursor(c);
  return { floor: d.floor, positions: Object.fromEntries(d.positions) };
};

describe('CursorTracker', () => {
  it('answers the requested since until the server says where the subscription starts', () => {
    expect(new CursorTracker(undefined).current()).toBeUndefined();
    expect(new CursorTracker('5-0').current()).toBe('5-0');
  });

  it('moves each channel to the last id received, over the floor of the subscribed cursor', () => {
    const tracker = new CursorTracker(undefined);
    tracker.start(cursor('100-0', { 'news/a': '90-0' }));
    tracker.record('news/a', '120-0');
    tracker.record('news/b', '130-2');
    expect(read(tracker.current())).toEqual({ floor: '100-0', positions: { 'news/a': '120-0', 'news/b': '130-2' } });
  });

  it('ignores events before the server answered: resuming from since only repeats them', () => {
    const tracker = new CursorTracker('7-0');
    tracker.record('a', '9-0');
    expect(tracker.current()).toBe('7-0');
  });

  it('lets a new subscribed cursor replace what was tracked (the server restarted from there)', () => {
    const tracker = new CursorTracker(undefined);
    tracker.start(cursor(ZERO_ID, { a: '10-0' }));
    tracker.record('a', '50-0');
    tracker.start(cursor(ZERO_ID, { a: '20-0' }));
    expect(read(tracker.current()).positions).toEqual({ a: '20-0' });
  });

  it('resumes a lost and recreated stream from its beginning', () => {
    const tracker = new CursorTracker(undefined);
    tracker.start(cursor(ZERO_ID, { a: '900-0' }));
    tracker.reset('a', 'stream-lost');
    expect(read(tracker.current()).positions).toEqual({ a: ZERO_ID });
    tracker.record('a', '1-0');
    expect(read(tracker.current()).positions).toEqual({ a: '1-0' });
  });

  it('keeps the position after retention loss (resuming gets the same reset, never silence)', () => {
    const tracker = new CursorTracker(undefined);
    tracker.start(cursor(ZERO_ID, { a: '10-0' }));
    tracker.reset('a', 'retention');
    expect(read(tracker.current()).positions).toEqual({ a: '10-0' });
  });

  it('stays bounded under a wildcard by folding the stalest channel into a lowered floor', () => {
    const tracker = new CursorTracker(undefined, 2);
    tracker.start(cursor('100-0'));
    tracker.record('x/1', '50-0');
    tracker.record('x/2', '150-0');
    tracker.record('x/3', '160-0');
    expect(read(tracker.current())).toEqual({ floor: '50-0', positions: { 'x/2': '150-0', 'x/3': '160-0' } });
  });

  it('never folds exact channels (zero floor): the floor could not stand for them', () => {
    const tracker = new CursorTracker(undefined, 1);
    tracker.start(cursor(ZERO_ID, { a: '1-0', b: '2-0' }));
    expect(Object.keys(read(tracker.current()).positions)).toEqual(['a', 'b']);
  });

  it('forgets the server answer on restart(since)', () => {
    const tracker = new CursorTracker(undefined);
    tracker.start(cursor(ZERO_ID, { a: '1-0' }));
    tracker.restart('x-cursor');
    expect(tracker.current()).toBe('x-cursor');
  });

  it('rejects a cursor it cannot decode', () => {
    expect(() => new CursorTracker(undefined).start('!!')).toThrow();
  });
});

describe('mergeCursors', () => {
  it('returns a single cursor unchanged, even one that is a bare stream id', () => {
    expect(mergeCursors(['5-0'])).toBe('5-0');
  });

  it('takes each channel at its smallest position and the smallest real floor', () => {
    const merged = mergeCursors([cursor(ZERO_ID, { a: '10-0' }), cursor('300-0', { a: '7-0', 'w/1': '400-0' }), cursor('200-0')]);
    expect(read(merged)).toEqual({ floor: '200-0', positions: { a: '7-0', 'w/1': '400-0' } });
  });

  it('gives up (undefined) when one part is unknown or not a cursor', () => {
    expect(mergeCursors([cursor(ZERO_ID), undefined])).toBeUndefined();
    expect(mergeCursors([cursor(ZERO_ID), '5-0'])).toBeUndefined();
  });
});
