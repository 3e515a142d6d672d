import { type DeviceStore, type EventLog, type ReceiptStore } from '@tidings/core';
import type { StreamId } from '@tidings/protocol';
import { expect, it } from 'vitest';

export interface ReceiptStoreFixture {
  readonly receipts: ReceiptStore;
  /** Ack events are appended here; the members of their channel at that moment owe receipts. */
  readonly log: EventLog;
  readonly devices: DeviceStore;
}

async function ackEvent(fixture: ReceiptStoreFixture, channel: string, members: readonly string[]): Promise<StreamId> {
  for (const device of members) await fixture.devices.join(channel, device);
  return (await fixture.log.append(channel, { event: 'command', data: 'do it', ack: true })).id;
}

/** The rules of delivery receipts (docs/architecture.md "Receipts"), for any ReceiptStore. */
export function receiptStoreContract(create: () => Promise<ReceiptStoreFixture>): void {
  it('expects a receipt from every member at publish time — not from later joiners, and none for events without ack', async () => {
    const fixture = await create();
    const { receipts, log, devices } = fixture;
    const plain = (await log.append('orders', { event: 'message', data: 'fyi', ack: false })).id;
    const id = await ackEvent(fixture, 'orders', ['phone', 'laptop']);
    await devices.join('orders', 'late');
    expect(await receipts.list('orders', plain, { limit: 10 })).toBeUndefined();
    const page = await receipts.list('orders', id, { limit: 10 });
    expect(page?.expected).toBe(2);
    expect(page?.devices.map((d) => [d.device, d.state]).sort()).toEqual([
      ['laptop', 'pending'],
      ['phone', 'pending'],
    ]);
    await expect(receipts.record('orders', id, 'late', 'received')).rejects.toMatchObject({ code: 'TIDINGS_RECEIPT_NOT_EXPECTED' });
    await expect(receipts.record('orders', plain, 'phone', 'received')).rejects.toMatchObject({ code: 'TIDINGS_RECEIPT_NOT_EXPECTED' });
  });

  it('marks deliveries, then moves a receipt forward only: repeats and lesser reports change nothing, contradictions conflict', async () => {
    const fixture = await create();
    const { receipts } = fixture;
    const id = await ackEvent(fixture, 'valves', ['v1', 'v2']);
    await receipts.markDelivered('valves', id, ['v1']);
    expect((await receipts.list('valves', id, { limit: 10 }))?.devices.find((d) => d.device === 'v1')).toMatchObject({ state: 'delivered', attempts: 1 });
    expect(await receipts.record('valves', id, 'v1', 'received')).toMatchObject({ result: 'recorded', receipt: { state: 'received' } });
    expect(await receipts.record('valves', id, 'v1', 'failed', 'valve stuck')).toMatchObject({ result: 'recorded', receipt: { state: 'failed', detail: 'valve stuck' } });
    expect((await receipts.record('valves', id, 'v1', 'received')).result).toBe('unchanged');
    await expect(receipts.record('valves', id, 'v1', 'processed')).rejects.toMatchObject({ code: 'TIDINGS_RECEIPT_CONFLICT' });
    expect(await receipts.record('valves', id, 'v2', 'processed')).toMatchObject({ result: 'recorded', receipt: { state: 'processed', attempts: 0 } });
    expect((await receipts.record('valves', id, 'v2', 'processed')).result).toBe('unchanged');
  });

  it('pages exactly limit devices at a time, each device once, with a next only while more remain', async () => {
    const fixture = await create();
    const members = ['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7'];
    const id = await ackEvent(fixture, 'fleet', members);
    const sizes: number[] = [];
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await fixture.receipts.list('fleet', id, { limit: 3, ...(after === undefined ? {} : { after }) });
      sizes.push(page!.devices.length);
      seen.push(...page!.devices.map((d) => d.device));
      after = page!.next;
    } while (after !== undefined && sizes.length < 10);
    expect(sizes).toEqual([3, 3, 1]);
    expect(seen.sort()).toEqual(members);
  });
}
