import { type DeviceLimits, type DeviceStore, type EventLog, PATTERN_FLOOR_SLACK_MS, type PatternStanding } from '@tidings/core';
import { compareStreamIds, type StreamId, streamIdMs } from '@tidings/protocol';
import { expect, it } from 'vitest';
import type { ManualClock } from './manual-clock.js';

export interface DeviceStoreFixture {
  readonly store: DeviceStore;
  /** The log the store's channels live in: appends move a channel's newest id. */
  readonly log: EventLog;
  /** The store's membership clock (last seen); the log keeps its own, real one. */
  readonly clock: ManualClock;
}

const IDLE_MS = 60_000;
const limits: DeviceLimits = { idleMs: IDLE_MS, maxPatterns: 2, maxChannelsPerPattern: 3 };

async function joinPattern(store: DeviceStore, device: string, pattern: string): Promise<PatternStanding> {
  const [standing] = await store.joinPatterns(device, [pattern]);
  return standing!;
}

async function publish(log: EventLog, channel: string, data: string): Promise<StreamId> {
  return (await log.append(channel, { event: 'message', data, ack: false })).id;
}

/** The rules of durable devices (docs/architecture.md "Durable devices"), for any DeviceStore. */
export function deviceStoreContract(create: (limits: DeviceLimits) => Promise<DeviceStoreFixture>): void {
  it('starts a new member at the newest event as it joins, so whatever is published after the join is after its position', async () => {
    const { store, log } = await create(limits);
    await publish(log, 'news', 'before');
    const last = await publish(log, 'news', 'before, too');
    expect(await store.join('news', 'phone')).toEqual({ channel: 'news', position: last });
    const after = await publish(log, 'news', 'after');
    const again = await store.join('news', 'phone'); // it never received anything: it comes back where it joined
    expect(again).toEqual({ channel: 'news', position: last });
    expect(compareStreamIds(after, again.position)).toBeGreaterThan(0);
  });

  it('starts a member of a channel that has no events yet at 0-0', async () => {
    const { store, log } = await create(limits);
    expect(await store.join('quiet', 'phone')).toEqual({ channel: 'quiet', position: '0-0' });
    await publish(log, 'quiet', 'first');
    expect((await store.join('quiet', 'phone')).position).toBe('0-0');
  });

  it('resumes a member from its saved position, which only ever moves forward', async () => {
    const { store, log } = await create(limits);
    await store.join('orders', 'phone');
    const [a, b] = [await publish(log, 'orders', 'a'), await publish(log, 'orders', 'b')];
    await store.savePositions('orders', new Map([['phone', b]]));
    await store.savePositions('orders', new Map([['phone', a]])); // a late batch from a slower node
    expect((await store.join('orders', 'phone')).position).toBe(b);
  });

  it('keeps each device its own position', async () => {
    const { store, log } = await create(limits);
    await store.join('room', 'phone');
    await store.join('room', 'laptop');
    const a = await publish(log, 'room', 'a');
    await store.savePositions('room', new Map([['phone', a]]));
    expect([(await store.join('room', 'phone')).position, (await store.join('room', 'laptop')).position]).toEqual([a, '0-0']);
  });

  it('keeps a renewed membership, and its position, past the idle limit', async () => {
    const { store, log, clock } = await create(limits);
    await store.join('feed', 'phone');
    const a = await publish(log, 'feed', 'a');
    await store.savePositions('feed', new Map([['phone', a]]));
    for (let i = 0; i < 3; i++) {
      clock.advance(IDLE_MS - 1);
      await store.renew('feed', ['phone']);
    }
    await publish(log, 'feed', 'b');
    expect(await store.join('feed', 'phone')).toEqual({ channel: 'feed', position: a });
  });

  it('starts a lapsed member again from the newest event and names what it may have missed', async () => {
    const { store, log, clock } = await create(limits);
    await store.join('alerts', 'phone');
    const seen = await publish(log, 'alerts', 'seen');
    await store.savePositions('alerts', new Map([['phone', seen]]));
    await publish(log, 'alerts', 'missed');
    const newest = await publish(log, 'alerts', 'missed, too');
    clock.advance(IDLE_MS + 1);
    expect(await store.join('alerts', 'phone')).toEqual({
      channel: 'alerts',
      position: newest,
      lapsed: { channel: 'alerts', lostFrom: seen, lostTo: newest, reason: 'membership-expired' },
    });
    expect(await store.join('alerts', 'phone')).toEqual({ channel: 'alerts', position: newest }); // a member again
  });

  it('names no loss when a lapsed member missed nothing', async () => {
    const { store, log, clock } = await create(limits);
    await store.join('calm', 'phone');
    const last = await publish(log, 'calm', 'a');
    await store.savePositions('calm', new Map([['phone', last]]));
    clock.advance(IDLE_MS + 1);
    expect(await store.join('calm', 'phone')).toEqual({ channel: 'calm', position: last });
  });

  it('forgets a member away for twice the idle limit: it starts as a new one', async () => {
    const { store, log, clock } = await create(limits);
    await store.join('old', 'phone');
    await publish(log, 'old', 'missed');
    clock.advance(2 * IDLE_MS + 1);
    const newest = await publish(log, 'old', 'newest');
    expect(await store.join('old', 'phone')).toEqual({ channel: 'old', position: newest });
  });

  it('does not resume a device from a position saved while it was not a member', async () => {
    const { store, log } = await create(limits);
    const a = await publish(log, 'stray', 'a');
    await store.savePositions('stray', new Map([['phone', '1-0']]));
    expect((await store.join('stray', 'phone')).position).toBe(a);
  });

  it('starts a durable pattern just before its join on the log clock, so what is published right after is after its floor', async () => {
    const { store, log } = await create(limits);
    const before = await publish(log, 'sport/1', 'before');
    const standing = await joinPattern(store, 'phone', 'sport/+');
    const after = await publish(log, 'sport/2', 'after'); // often in the same millisecond as the join
    expect(standing.pattern).toBe('sport/+');
    expect(standing.positions.size).toBe(0);
    expect(standing.lapsed).toBeUndefined();
    expect(compareStreamIds(after, standing.floor)).toBeGreaterThan(0);
    expect(streamIdMs(standing.floor)).toBeGreaterThanOrEqual(streamIdMs(before) - PATTERN_FLOOR_SLACK_MS);
    expect((await joinPattern(store, 'phone', 'sport/+')).floor).toBe(standing.floor);
  });

  it('moves a pattern record forward per channel, never back, and returns it to the next join', async () => {
    const { store } = await create(limits);
    const { floor } = await joinPattern(store, 'phone', 'news/#');
    await store.savePatternPositions('phone', 'news/#', new Map([['news/a', '5-0'], ['news/b', '7-1']]));
    await store.savePatternPositions('phone', 'news/#', new Map([['news/a', '4-9'], ['news/b', '8-0']]));
    const again = await joinPattern(store, 'phone', 'news/#');
    expect(again.floor).toBe(floor);
    expect(Object.fromEntries(again.positions)).toEqual({ 'news/a': '5-0', 'news/b': '8-0' });
  });

  it('keeps at most maxChannelsPerPattern channels in a record, while moving the known ones', async () => {
    const { store } = await create(limits);
    await joinPattern(store, 'phone', 'many/+');
    await store.savePatternPositions('phone', 'many/+', new Map([['many/1', '1-0'], ['many/2', '1-0'], ['many/3', '1-0'], ['many/4', '1-0']]));
    await store.savePatternPositions('phone', 'many/+', new Map([['many/5', '2-0'], ['many/1', '3-0']]));
    const { positions } = await joinPattern(store, 'phone', 'many/+');
    expect(positions.size).toBe(3);
    expect(positions.get('many/1')).toBe('3-0');
    expect(positions.has('many/5')).toBe(false);
  });

  it('refuses a device one durable pattern more than allowed, and changes nothing', async () => {
    const { store } = await create(limits);
    await joinPattern(store, 'phone', 'a/#');
    await joinPattern(store, 'phone', 'b/#');
    await expect(joinPattern(store, 'phone', 'c/#')).rejects.toMatchObject({ code: 'TIDINGS_TOO_MANY_PATTERNS' });
    await expect(joinPattern(store, 'phone', 'c/#')).rejects.toMatchObject({ code: 'TIDINGS_TOO_MANY_PATTERNS' });
    expect((await joinPattern(store, 'phone', 'a/#')).lapsed).toBeUndefined(); // those it has still work
    await joinPattern(store, 'laptop', 'c/#'); // another device has its own allowance
  });

  it('joins several patterns all or none, counting only those not already followed', async () => {
    const { store } = await create(limits);
    await expect(store.joinPatterns('phone', ['a/#', 'b/#', 'c/#'])).rejects.toMatchObject({ code: 'TIDINGS_TOO_MANY_PATTERNS' });
    const [a] = await store.joinPatterns('phone', ['a/#']); // the refused call created nothing
    const [again, b] = await store.joinPatterns('phone', ['a/#', 'b/#']);
    expect(again!.floor).toBe(a!.floor);
    expect(b!.pattern).toBe('b/#');
    await expect(store.joinPatterns('phone', ['c/#'])).rejects.toMatchObject({ code: 'TIDINGS_TOO_MANY_PATTERNS' });
    expect(await store.joinPatterns('phone', [])).toEqual([]);
  });

  it('forgets a pattern the device leaves, freeing its place', async () => {
    const { store } = await create(limits);
    await store.joinPatterns('phone', ['a/#', 'b/#']);
    await store.savePatternPositions('phone', 'a/#', new Map([['a/x', '3-0']]));
    await store.leavePattern('phone', 'a/#');
    await store.savePatternPositions('phone', 'a/#', new Map([['a/x', '4-0']])); // a late save does not bring it back
    const [c] = await store.joinPatterns('phone', ['c/#']);
    expect(c!.lapsed).toBeUndefined();
    await store.leavePattern('phone', 'c/#');
    const again = await joinPattern(store, 'phone', 'a/#');
    expect(again.positions.size).toBe(0);
    expect(again.lapsed).toBeUndefined();
  });

  it('keeps a renewed pattern live, and lets a lapsed one free its place and name what it may have missed', async () => {
    const { store, clock } = await create(limits);
    const first = await joinPattern(store, 'phone', 'a/#');
    await store.savePatternPositions('phone', 'a/#', new Map([['a/x', '9-0']]));
    await joinPattern(store, 'phone', 'b/#');
    clock.advance(IDLE_MS - 1);
    await store.renewPatterns('phone', ['b/#']);
    clock.advance(2);
    const third = await joinPattern(store, 'phone', 'c/#'); // a/# lapsed: its place is free
    expect(third.lapsed).toBeUndefined();
    await expect(joinPattern(store, 'phone', 'a/#')).rejects.toMatchObject({ code: 'TIDINGS_TOO_MANY_PATTERNS' });
    clock.advance(IDLE_MS - 1); // twice the idle limit since a/# was seen: lapsed, not yet forgotten
    await store.renewPatterns('phone', ['c/#']); // b/# lapses now; c/# stays
    const back = await joinPattern(store, 'phone', 'a/#');
    expect(back.positions.size).toBe(0);
    expect(back.lapsed).toEqual({ channel: 'a/#', lostFrom: lowest(first.floor, '9-0'), lostTo: back.floor, reason: 'membership-expired' });
    await expect(joinPattern(store, 'phone', 'b/#')).rejects.toMatchObject({ code: 'TIDINGS_TOO_MANY_PATTERNS' });
  });

  it('forgets a pattern record unused for twice the idle limit: it starts again without naming a loss', async () => {
    const { store, clock } = await create(limits);
    await joinPattern(store, 'phone', 'gone/#');
    clock.advance(2 * IDLE_MS + 1);
    const again = await joinPattern(store, 'phone', 'gone/#');
    expect(again.lapsed).toBeUndefined();
    expect(again.positions.size).toBe(0);
  });

  it('keeps a persistent MQTT session\'s filters with their QoS, updates them, and drops them one by one or all at once', async () => {
    const { store } = await create(limits);
    expect(await store.keptFilters('lamp')).toEqual(new Map());
    expect(await store.keepFilters('lamp', new Map([['home/+/lights', 1], ['home/door', 0]]), 4)).toBe(true);
    expect(await store.keepFilters('lamp', new Map([['home/door', 1]]), 4)).toBe(true);
    expect(await store.keptFilters('lamp')).toEqual(new Map([['home/+/lights', 1], ['home/door', 1]]));
    expect(await store.keptFilters('other')).toEqual(new Map());
    await store.dropFilters('lamp', ['home/door']);
    expect(await store.keptFilters('lamp')).toEqual(new Map([['home/+/lights', 1]]));
    await store.dropFilters('lamp', undefined);
    expect(await store.keptFilters('lamp')).toEqual(new Map());
  });

  it('refuses to keep more filters than allowed, changing nothing, while known filters still update', async () => {
    const { store } = await create(limits);
    await store.keepFilters('lamp', new Map([['a', 0], ['b', 0]]), 2);
    expect(await store.keepFilters('lamp', new Map([['c', 1], ['a', 1]]), 2)).toBe(false);
    expect(await store.keepFilters('lamp', new Map([['b', 1]]), 2)).toBe(true);
    expect(await store.keptFilters('lamp')).toEqual(new Map([['a', 0], ['b', 1]]));
  });
}

function lowest(a: StreamId, b: StreamId): StreamId {
  return compareStreamIds(a, b) <= 0 ? a : b;
}
