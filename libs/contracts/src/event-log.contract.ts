import type { EventLog } from '@tidings/core';
import { compareStreamIds, type PublishRequest, type StreamId, streamIdMs } from '@tidings/protocol';
import { expect, it } from 'vitest';

export interface EventLogFixture {
  readonly log: EventLog;
}

/** Retention: a channel keeps at most `maxLength` events, none older than `maxAgeSeconds`. */
export interface EventLogOptions {
  readonly maxLength: number;
  readonly maxAgeSeconds: number;
}

const ROOMY: EventLogOptions = { maxLength: 1000, maxAgeSeconds: 3600 };

const event = (data: unknown, extra: Partial<PublishRequest> = {}): PublishRequest => ({ event: 'message', data: data as never, ack: false, ...extra });

async function publish(log: EventLog, channel: string, count: number): Promise<StreamId[]> {
  const ids: StreamId[] = [];
  for (let i = 0; i < count; i++) ids.push((await log.append(channel, event({ n: i }))).id);
  return ids;
}

/** The rules of the per-channel log (docs/architecture.md "Retention and `reset`"), for any EventLog. */
export function eventLogContract(create: (options: EventLogOptions) => Promise<EventLogFixture>): void {
  it('appends with increasing ids and reads back, after any position, what was published', async () => {
    const { log } = await create(ROOMY);
    const ids = await publish(log, 'orders/1', 4);
    const ack = await log.append('orders/1', event('sign here', { event: 'command', ack: true }));
    ids.push(ack.id);
    expect([...ids].sort(compareStreamIds)).toEqual(ids);
    expect(new Set(ids).size).toBe(5);
    expect(ack).toEqual({ id: ack.id, duplicate: false, expected: 0 });
    const page = await log.readAfter('orders/1', ids[1]!, 10);
    expect(page).toEqual({
      events: [
        { channel: 'orders/1', id: ids[2], event: 'message', data: '{"n":2}' },
        { channel: 'orders/1', id: ids[3], event: 'message', data: '{"n":3}' },
        { channel: 'orders/1', id: ids[4], event: 'command', data: '"sign here"', ack: true },
      ],
    });
    expect(await log.read('orders/1', ids[4]!)).toEqual(page.events[2]);
    expect(await log.read('orders/1', '1-0')).toBeUndefined();
    expect(await log.lastId('orders/1')).toBe(ids[4]);
    expect((await log.readAfter('orders/1', ids[4]!, 10)).events).toEqual([]);
  });

  it('pages through a channel: each page starts after the last id of the one before, every event once, in order', async () => {
    const { log } = await create(ROOMY);
    const ids = await publish(log, 'paged', 7);
    const pages: StreamId[][] = [];
    let after: StreamId = '0-0';
    for (;;) {
      const page = await log.readAfter('paged', after, 3);
      expect(page.gap).toBeUndefined();
      if (page.events.length === 0) break;
      pages.push(page.events.map((e) => e.id));
      after = page.events.at(-1)!.id;
    }
    expect(pages).toEqual([ids.slice(0, 3), ids.slice(3, 6), ids.slice(6)]);
  });

  it('answers a repeated idempotency key with the original id and writes nothing, per channel', async () => {
    const { log } = await create(ROOMY);
    const first = await log.append('pay', event('x', { idempotencyKey: 'k-1' }));
    expect(await log.append('pay', event('different body', { idempotencyKey: 'k-1', ack: true }))).toEqual({ id: first.id, duplicate: true });
    const elsewhere = await log.append('refunds', event('y', { idempotencyKey: 'k-1' }));
    expect(elsewhere.duplicate).toBe(false);
    expect((await log.readAfter('pay', '0-0', 10)).events.map((e) => e.data)).toEqual(['"x"']);
    expect(await log.lastId('pay')).toBe(first.id);
  });

  it('trims to the length limit and tells a reader behind it exactly what it lost, then what remains', async () => {
    const { log } = await create({ maxLength: 5, maxAgeSeconds: 3600 });
    const ids = await publish(log, 'trimmed', 12);
    expect(await log.readAfter('trimmed', ids[1]!, 100)).toMatchObject({
      gap: { channel: 'trimmed', lostFrom: ids[1], lostTo: ids[6], reason: 'retention' },
      events: ids.slice(7).map((id) => ({ id })),
    });
    expect((await log.readAfter('trimmed', '0-0', 100)).gap).toEqual({ channel: 'trimmed', lostFrom: '0-0', lostTo: ids[6], reason: 'retention' });
    expect((await log.readAfter('trimmed', ids[6]!, 100)).gap).toBeUndefined();
    expect(await log.read('trimmed', ids[6]!)).toBeUndefined();
    expect(await log.lastId('trimmed')).toBe(ids[11]);
  });

  it('trims events older than the age limit at the next append, and forgets their idempotency keys', async () => {
    const { log } = await create({ maxLength: 1000, maxAgeSeconds: 1 });
    const old = await log.append('aging', event('old', { idempotencyKey: 'once' }));
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const fresh = await log.append('aging', event('fresh'));
    expect(await log.readAfter('aging', '0-0', 10)).toMatchObject({
      gap: { lostFrom: '0-0', lostTo: old.id, reason: 'retention' },
      events: [{ id: fresh.id }],
    });
    const again = await log.append('aging', event('old, again', { idempotencyKey: 'once' }));
    expect(again.duplicate).toBe(false);
    expect(compareStreamIds(again.id, fresh.id)).toBeGreaterThan(0);
  });

  it('says the stream was lost to a reader ahead of anything the channel ever had, and reads it from the start', async () => {
    const { log } = await create(ROOMY);
    const ids = await publish(log, 'reborn', 2);
    const future = `${streamIdMs(ids[1]!) + 3_600_000}-0`;
    expect(await log.readAfter('reborn', future, 10)).toMatchObject({
      gap: { channel: 'reborn', lostFrom: future, lostTo: future, reason: 'stream-lost' },
      events: ids.map((id) => ({ id })),
    });
    expect(await log.readAfter('never', '5-0', 10)).toEqual({ events: [], gap: { channel: 'never', lostFrom: '5-0', lostTo: '5-0', reason: 'stream-lost' } });
    expect(await log.readAfter('never', '0-0', 10)).toEqual({ events: [] });
    expect(await log.lastId('never')).toBe('0-0');
  });

  it('finds the channels appended to since a time, and gives ids in its own clock', async () => {
    const { log } = await create(ROOMY);
    const before = await log.now();
    const { id } = await log.append('dir/new', event(1));
    expect(await log.channelsActiveSince(before)).toContain('dir/new');
    expect(streamIdMs(id)).toBeGreaterThanOrEqual(before);
    expect(await log.now()).toBeGreaterThanOrEqual(streamIdMs(id));
  });
}
