import { describe, expect, it } from 'vitest';
import { EventDeduper } from './event-deduper.js';

describe('EventDeduper', () => {
  it('delivers increasing ids and drops a repeated or older one', () => {
    const dedupe = new EventDeduper();
    expect(dedupe.accept('a', '1-0')).toBe(true);
    expect(dedupe.accept('a', '1-1')).toBe(true);
    expect(dedupe.accept('a', '1-1')).toBe(false);
    expect(dedupe.accept('a', '1-0')).toBe(false);
    expect(dedupe.accept('a', '2-0')).toBe(true);
  });

  it('orders ids numerically, not as strings', () => {
    const dedupe = new EventDeduper();
    expect(dedupe.accept('a', '9-0')).toBe(true);
    expect(dedupe.accept('a', '10-0')).toBe(true);
    expect(dedupe.accept('a', '9-5')).toBe(false);
  });

  it('keeps channels apart: the same id in another channel is a different event', () => {
    const dedupe = new EventDeduper();
    expect(dedupe.accept('a', '5-0')).toBe(true);
    expect(dedupe.accept('b', '5-0')).toBe(true);
    expect(dedupe.accept('b', '4-0')).toBe(false);
  });

  it('accepts smaller ids again after forget() (a stream recreated after a reset)', () => {
    const dedupe = new EventDeduper();
    dedupe.accept('a', '900-0');
    dedupe.forget('a');
    expect(dedupe.accept('a', '1-0')).toBe(true);
    expect(dedupe.lastId('a')).toBe('1-0');
  });

  it('stays bounded, forgetting the least recently active channel first', () => {
    const dedupe = new EventDeduper(2);
    dedupe.accept('a', '1-0');
    dedupe.accept('b', '1-0');
    dedupe.accept('a', '2-0');
    dedupe.accept('c', '1-0');
    expect(dedupe.size).toBe(2);
    expect(dedupe.lastId('b')).toBeUndefined();
    expect(dedupe.lastId('a')).toBe('2-0');
    expect(dedupe.accept('a', '2-0')).toBe(false);
  });

  it('delivers an event whose id it cannot order', () => {
    const dedupe = new EventDeduper();
    expect(dedupe.accept('a', 'not-an-id')).toBe(true);
    expect(dedupe.accept('a', 'not-an-id')).toBe(true);
    expect(dedupe.size).toBe(0);
  });
});
