import { describe, expect, it } from 'vitest';
import { DeliveryLedger } from './delivery-ledger.js';

describe('DeliveryLedger', () => {
  it('counts, per subscriber and channel, what is missing, repeated and late', () => {
    const ledger = new DeliveryLedger();
    for (const id of ['1-0', '2-0', '3-0', '4-0']) ledger.recordPublished('a', id);
    ledger.recordPublished('b', '5-0');
    const good = ledger.receiver('good', ['a', 'b']);
    const bad = ledger.receiver('bad', ['a']);
    for (const id of ['1-0', '2-0', '3-0', '4-0']) good.received('a', id);
    expect(ledger.complete()).toBe(false); // 'good' has nothing of b yet
    good.received('b', '5-0');
    for (const id of ['1-0', '3-0', '2-0', '3-0']) bad.received('a', id); // 2-0 late, 3-0 twice, 4-0 never
    bad.reset('a');

    expect(ledger.complete()).toBe(false);
    expect(ledger.report()).toEqual({
      published: 5,
      subscribers: 2,
      missing: 1,
      missingEvents: 1,
      duplicated: 1,
      outOfOrder: 1,
      resets: 1,
      faults: [{ subscriber: 'bad', channel: 'a', missing: 1, duplicated: 1, outOfOrder: 1 }],
    });
  });

  it('is complete once every subscriber has every event of its channels', () => {
    const ledger = new DeliveryLedger();
    const only = ledger.receiver('only', ['a']);
    ledger.recordPublished('a', '1-0');
    ledger.recordPublished('a', '1-0'); // a repeated idempotency key answers the same id
    only.received('a', '1-0');
    expect(ledger.complete()).toBe(true);
    expect(ledger.report()).toMatchObject({ published: 1, missing: 0, duplicated: 0, outOfOrder: 0 });
  });
});
