import type { ConsumerGroups, EventLog, GroupSettings } from '@tidings/core';
import { compareStreamIds, type StreamId } from '@tidings/protocol';
import { expect, it } from 'vitest';

export interface ConsumerGroupsFixture {
  readonly groups: ConsumerGroups;
  /** The log the groups read; it keeps at most the `maxLength` newest events of a channel. */
  readonly log: EventLog;
}

export interface ConsumerGroupsOptions {
  readonly maxLength: number;
}

const QUICK: GroupSettings = { visibilityMs: 100, maxDeliveries: 3 };
const SLOW: GroupSettings = { visibilityMs: 60_000, maxDeliveries: 3 };

async function publish(log: EventLog, channel: string, count: number): Promise<StreamId[]> {
  const ids: StreamId[] = [];
  for (let i = 0; i < count; i++) ids.push((await log.append(channel, { event: 'order', data: i, ack: false })).id);
  return ids;
}

/** Past a visibility timeout of QUICK: the store's clock and Redis' both move on their own. */
const pastVisibility = () => new Promise((resolve) => setTimeout(resolve, QUICK.visibilityMs + 50));

/** The rules of consumer groups (docs/architecture.md "Consumer groups"), for any ConsumerGroups. */
export function consumerGroupsContract(create: (options: ConsumerGroupsOptions) => Promise<ConsumerGroupsFixture>): void {
  it('hands each event to one consumer of a group, in order, and every group gets all of them', async () => {
    const { groups, log } = await create({ maxLength: 1000 });
    expect(await groups.put('orders', 'billing', 'all', SLOW)).toBe(true);
    await groups.put('orders', 'audit', 'all', SLOW);
    const ids = await publish(log, 'orders', 10);
    const first = await groups.claim('orders', 'billing', 'a', 4);
    const second = await groups.claim('orders', 'billing', 'b', 10);
    expect([...first.events, ...second.events].map((e) => e.id)).toEqual(ids);
    expect(first.events[0]).toMatchObject({ channel: 'orders', event: 'order', data: '0', deliveries: 1 });
    expect((await groups.claim('orders', 'audit', 'a', 20)).events.map((e) => e.id)).toEqual(ids);
    expect((await groups.claim('orders', 'billing', 'c', 10)).events).toEqual([]);
  });

  it('starts a group at new, at all, or after a given event', async () => {
    const { groups, log } = await create({ maxLength: 1000 });
    const old = await publish(log, 'start', 3);
    await groups.put('start', 'fresh', 'new', SLOW);
    await groups.put('start', 'everything', 'all', SLOW);
    await groups.put('start', 'after', old[0]!, SLOW);
    expect((await groups.claim('start', 'fresh', 'a', 10)).events).toEqual([]);
    const next = await publish(log, 'start', 1);
    expect((await groups.claim('start', 'fresh', 'a', 10)).events.map((e) => e.id)).toEqual(next);
    expect((await groups.claim('start', 'everything', 'a', 10)).events.map((e) => e.id)).toEqual([...old, ...next]);
    expect((await groups.claim('start', 'after', 'a', 10)).events.map((e) => e.id)).toEqual([old[1], old[2], ...next]);
  });

  it('keeps an existing group where it is when put again, with the new settings', async () => {
    const { groups, log } = await create({ maxLength: 1000 });
    await groups.put('again', 'g', 'all', SLOW);
    const ids = await publish(log, 'again', 4);
    await groups.claim('again', 'g', 'a', 2);
    expect(await groups.put('again', 'g', 'all', { visibilityMs: 5000, maxDeliveries: 7 })).toBe(false);
    expect((await groups.claim('again', 'g', 'a', 10)).events.map((e) => e.id)).toEqual(ids.slice(2));
    expect(await groups.info('again', 'g')).toMatchObject({ visibilityMs: 5000, maxDeliveries: 7 });
  });

  it('never hands out an acknowledged event again; an unacknowledged one goes to the next claim after the visibility timeout', async () => {
    const { groups, log } = await create({ maxLength: 1000 });
    await groups.put('vis', 'g', 'all', QUICK);
    const [e1, e2] = await publish(log, 'vis', 2);
    expect((await groups.claim('vis', 'g', 'a', 10)).events.map((e) => e.id)).toEqual([e1, e2]);
    expect(await groups.ack('vis', 'g', [e1!, '1-1'])).toEqual(['acked', 'unknown']);
    expect(await groups.ack('vis', 'g', [e1!])).toEqual(['unknown']); // a repeat changes nothing
    expect((await groups.claim('vis', 'g', 'b', 10)).events).toEqual([]); // e2 is still a's
    await pastVisibility();
    const again = await groups.claim('vis', 'g', 'b', 10);
    expect(again.events.map((e) => [e.id, e.deliveries])).toEqual([[e2, 2]]);
    expect(await groups.ack('vis', 'g', [e2!])).toEqual(['acked']);
  });

  it('hands out expired events before new ones, so redelivery cannot starve', async () => {
    const { groups, log } = await create({ maxLength: 1000 });
    await groups.put('first', 'g', 'all', QUICK);
    const [old] = await publish(log, 'first', 1);
    await groups.claim('first', 'g', 'a', 1);
    await pastVisibility();
    await publish(log, 'first', 3);
    expect((await groups.claim('first', 'g', 'b', 1)).events.map((e) => e.id)).toEqual([old]);
  });

  it('gives a nacked event to the next claim at once, keeping its delivery count', async () => {
    const { groups, log } = await create({ maxLength: 1000 });
    await groups.put('nack', 'g', 'all', SLOW);
    const [e1] = await publish(log, 'nack', 1);
    await groups.claim('nack', 'g', 'a', 1);
    expect(await groups.nack('nack', 'g', [e1!, '1-1'])).toEqual(['acked', 'unknown']);
    expect((await groups.claim('nack', 'g', 'b', 1)).events.map((e) => [e.id, e.deliveries])).toEqual([[e1, 2]]);
  });

  it('moves an event handed out the maximum number of times to the dead letters', async () => {
    const { groups, log } = await create({ maxLength: 1000 });
    await groups.put('dead', 'g', 'all', { visibilityMs: 100, maxDeliveries: 2 });
    const [e1] = await publish(log, 'dead', 1);
    expect((await groups.claim('dead', 'g', 'a', 1)).events.map((e) => e.deliveries)).toEqual([1]);
    await pastVisibility();
    expect((await groups.claim('dead', 'g', 'a', 1)).events.map((e) => e.deliveries)).toEqual([2]);
    await pastVisibility();
    const third = await groups.claim('dead', 'g', 'a', 1);
    expect(third.events).toEqual([]);
    expect(third.dead.map((e) => [e.id, e.deliveries, e.data])).toEqual([[e1, 2, '0']]);
    expect(await groups.info('dead', 'g')).toMatchObject({ pending: 0, dead: 1 });
    expect(await groups.ack('dead', 'g', [e1!])).toEqual(['unknown']);
  });

  it('tells a group once what was trimmed before it read it, and goes on after it', async () => {
    const { groups, log } = await create({ maxLength: 5 });
    await groups.put('trim', 'g', 'all', SLOW);
    const ids = await publish(log, 'trim', 12); // only the newest ~5 are kept
    const claim = await groups.claim('trim', 'g', 'a', 20);
    expect(claim.resets).toHaveLength(1);
    expect(claim.resets[0]).toMatchObject({ channel: 'trim', lostFrom: '0-0', reason: 'retention' });
    const kept = claim.events.map((e) => e.id);
    expect(kept).toEqual(ids.slice(ids.length - kept.length));
    expect(claim.resets[0]!.lostTo).toBe(ids[ids.length - kept.length - 1]);
    const next = await groups.claim('trim', 'g', 'a', 20);
    expect(next.resets).toEqual([]);
  });

  it('tells a group which handed-out events were trimmed before anyone acknowledged them', async () => {
    const { groups, log } = await create({ maxLength: 5 });
    await groups.put('lost', 'g', 'all', QUICK);
    const first = await publish(log, 'lost', 2);
    await groups.claim('lost', 'g', 'a', 2);
    await publish(log, 'lost', 10); // trims both away
    await pastVisibility();
    const claim = await groups.claim('lost', 'g', 'b', 20);
    const lost = claim.resets.filter((r) => r.lostTo === first[0] || r.lostTo === first[1]);
    expect(lost).toHaveLength(2);
    for (const reset of lost) expect(compareStreamIds(reset.lostFrom, reset.lostTo)).toBeLessThan(0);
    expect(claim.events.every((e) => !first.includes(e.id))).toBe(true);
    expect((await groups.info('lost', 'g'))?.pending).toBe(claim.events.length);
  });

  it('describes its groups: consumers, pending, lag, position, dead letters', async () => {
    const { groups, log } = await create({ maxLength: 1000 });
    await groups.put('info', 'g', 'all', SLOW);
    await groups.put('info', 'other', 'new', SLOW);
    const ids = await publish(log, 'info', 5);
    await groups.claim('info', 'g', 'a', 2);
    await groups.claim('info', 'g', 'b', 1);
    await groups.ack('info', 'g', [ids[0]!]);
    expect(await groups.info('info', 'g')).toEqual({
      channel: 'info',
      group: 'g',
      ...SLOW,
      consumers: 2,
      pending: 2,
      lag: 2,
      lastDeliveredId: ids[2],
      dead: 0,
    });
    expect((await groups.list('info')).map((g) => g.group).sort()).toEqual(['g', 'other']);
    expect(await groups.info('info', 'missing')).toBeUndefined();
    expect((await groups.all(100)).filter((g) => g.channel === 'info').map((g) => g.group).sort()).toEqual(['g', 'other']);
  });

  it('deletes a group; a missing group refuses claims, acks and nacks', async () => {
    const { groups, log } = await create({ maxLength: 1000 });
    await groups.put('gone', 'g', 'all', SLOW);
    await publish(log, 'gone', 1);
    expect(await groups.remove('gone', 'g')).toBe(true);
    expect(await groups.remove('gone', 'g')).toBe(false);
    for (const attempt of [() => groups.claim('gone', 'g', 'a', 1), () => groups.ack('gone', 'g', ['1-0']), () => groups.nack('gone', 'g', ['1-0'])]) {
      await expect(attempt()).rejects.toMatchObject({ code: 'TIDINGS_GROUP_NOT_FOUND' });
    }
    await expect(groups.claim('never', 'g', 'a', 1)).rejects.toMatchObject({ code: 'TIDINGS_GROUP_NOT_FOUND' });
  });
}
