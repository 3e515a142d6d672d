import { describe, expect, it } from 'vitest';
import { SequenceChecker } from './sequence-checker.js';

function feed(seqs: readonly number[], first = 1, maxTracked?: number): SequenceChecker {
  const checker = new SequenceChecker(first, maxTracked);
  for (const seq of seqs) checker.accept(seq);
  return checker;
}

describe('SequenceChecker', () => {
  it('counts an in-order stream as complete with nothing lost', () => {
    const c = feed([1, 2, 3, 4]);
    expect([c.received, c.duplicates, c.outOfOrder, c.gaps, c.lost(4)]).toEqual([4, 0, 0, 0, 0]);
    expect(c.complete(4)).toBe(true);
  });

  it('counts numbers skipped and never seen as lost', () => {
    const c = feed([1, 2, 5, 6]);
    expect(c.gaps).toBe(1);
    expect(c.lost(6)).toBe(2);
    expect(c.complete(6)).toBe(false);
  });

  it('counts a skipped number that arrives later as out of order, not lost', () => {
    const c = feed([1, 3, 2, 4]);
    expect([c.received, c.outOfOrder, c.lost(4), c.duplicates]).toEqual([4, 1, 0, 0]);
    expect(c.complete(4)).toBe(true);
  });

  it('counts a number seen twice as a duplicate, wherever it repeats', () => {
    const c = feed([1, 2, 2, 3, 1, 5, 4, 4]);
    expect(c.duplicates).toBe(3);
    expect(c.outOfOrder).toBe(1);
    expect(c.received).toBe(5);
    expect(c.lost(5)).toBe(0);
  });

  it('counts the events after the last one received as lost', () => {
    const c = feed([1, 2]);
    expect(c.lost(5)).toBe(3);
    expect(c.complete(5)).toBe(false);
    expect(feed([]).lost(3)).toBe(3);
  });

  it('starts from the first number it is given', () => {
    expect(feed([10, 11], 10).lost(11)).toBe(0);
    expect(feed([11], 10).lost(11)).toBe(1);
  });

  it('bounds what it remembers of one huge gap and still counts it all as lost', () => {
    const c = feed([1, 1_000_002], 1, 100);
    expect(c.lost(1_000_002)).toBe(1_000_000);
    expect(c.complete(1_000_002)).toBe(false);
  });
});
