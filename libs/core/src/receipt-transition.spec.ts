import { describe, expect, it } from 'vitest';
import { MemoryEventLog } from './memory-event-log.js';
import { MemoryDeviceStore } from './memory-device-store.js';
import { MemoryReceiptStore } from './memory-receipt-store.js';
import { receiptTransition } from './receipt-transition.js';

describe('receipt transitions', () => {
  it.each([
    ['pending', 'received', 'recorded'],
    ['delivered', 'processed', 'recorded'],
    ['received', 'failed', 'recorded'],
    ['received', 'received', 'unchanged'],
    ['processed', 'received', 'unchanged'],
    ['processed', 'failed', 'conflict'],
    ['failed', 'processed', 'conflict'],
    ['dead', 'received', 'conflict'],
  ] as const)('%s + %s → %s', (current, reported, outcome) => expect(receiptTransition(current, reported)).toBe(outcome));
});

describe('MemoryReceiptStore with MemoryEventLog', () => {
  it('expects receipts from the members at publish time only', async () => {
    const devices: MemoryDeviceStore = new MemoryDeviceStore({
      idleMs: 60_000,
      maxPatterns: 16,
      maxChannelsPerPattern: 100,
      newestId: (channel) => log.newestId(channel),
      logNow: () => log.clock(),
      now: Date.now,
    });
    const receipts = new MemoryReceiptStore(devices);
    const log = new MemoryEventLog({ maxLength: 100, now: Date.now, receipts });
    await devices.join('c', 'a');
    await devices.join('c', 'b');
    const { id, expected } = await log.append('c', { event: 'message', data: 1, ack: true });
    await devices.join('c', 'late');
    expect(expected).toBe(2);
    await receipts.markDelivered('c', id, ['a', 'late']);
    expect((await receipts.record('c', id, 'a', 'processed')).receipt).toMatchObject({ state: 'processed', attempts: 1 });
    await expect(receipts.record('c', id, 'late', 'received')).rejects.toMatchObject({ code: 'TIDINGS_RECEIPT_NOT_EXPECTED' });
    const page = await receipts.list('c', id, { limit: 1 });
    expect(page?.devices.map((d) => d.device)).toEqual(['a']);
    expect((await receipts.list('c', id, { limit: 1, after: page!.next! }))?.devices.map((d) => [d.device, d.state])).toEqual([['b', 'pending']]);
  });
});
