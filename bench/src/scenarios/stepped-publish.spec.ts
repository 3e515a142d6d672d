import { describe, expect, it } from 'vitest';
import { SequenceChecker } from '../loadgen/index.js';
import { answerId } from '../fanout/publisher.js';
import { replayStorageOrder } from './stepped-publish.js';

describe('replayStorageOrder', () => {
  it('counts what a subscriber following the storage order sees out of order, across steps', () => {
    const storage = replayStorageOrder(new SequenceChecker(1), [
      [1, '100-0'],
      [3, '100-1'], // stored before 2: 2 arrives after a later one
      [2, '100-2'],
      [4, '99-5'], // stored first of all (ids compare numerically, not as text)
    ]);
    expect(storage).toMatchObject({ received: 4, outOfOrder: 3, gaps: 1, duplicates: 0 });
    expect(replayStorageOrder(storage, [[6, '1000-0'], [5, '200-0']])).toMatchObject({ received: 6, outOfOrder: 3, gaps: 1 });
  });

  it('gives up on the order once an answer named no id (a peer)', () => {
    expect(replayStorageOrder(new SequenceChecker(1), [[1, '1-0'], [2, null]])).toBeNull();
    expect(replayStorageOrder(null, [[1, '1-0']])).toBeNull();
  });
});

describe('answerId', () => {
  it("reads the stream id of Tidings' publish answer", () => {
    expect(answerId('{"id":"1795774498344-0","channel":"bench"}')).toBe('1795774498344-0');
    expect(answerId('queued messages: 1')).toBeNull();
  });
});
