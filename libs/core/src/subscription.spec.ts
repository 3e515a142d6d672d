import { type Cursor, decodeCursor, parseSubscription } from '@tidings/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { Hub } from './hub.js';
import { MemoryEventLog } from './memory-event-log.js';
import { MemoryLiveBus, type Transmit } from './memory-live-bus.js';
import type { EventBatch } from './node-event.js';
import type { LogGap, LoggedEvent } from './ports.js';
import { Subscription, type SubscriptionSink } from './subscription.js';

/** A deterministic random source, so a lossy live path misbehaves the same way every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Drops, repeats and reorders notifications, like pub/sub across reconnects. */
function unreliable(random: () => number): Transmit {
  return (n, deliver) => {
    const roll = random();
    if (roll < 0.3) return; // lost
    const later = () => setTimeout(() => deliver(n), Math.floor(random() * 5));
    later();
    if (roll > 0.9) later(); // repeated
  };
}

class Recorder implements SubscriptionSink {
  readonly received: LoggedEvent[] = [];
  readonly resets: LogGap[] = [];
  failures: unknown[] = [];
  events(batch: EventBatch): void {
    this.received.push(...batch.events);
  }
  reset(gap: LogGap): void {
    this.resets.push(gap);
  }
  congestion(): Promise<void> | null {
    return null;
  }
  failed(error: unknown): void {
    this.failures.push(error);
  }
  ids(channel?: string): string[] {
    return this.received.filter((e) => channel === undefined || e.channel === channel).map((e) => e.id);
  }
}

let clock = 1_700_000_000_000;
const now = () => clock;
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
async function waitFor(done: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

async function settle(rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 2));
}

function cluster(transmit?: Transmit, fanOut: { sliceSize?: number; maxPending?: number; yieldTurn?: (run: () => void) => void } = {}) {
  const log = new MemoryEventLog({ maxLength: 100_000, now });
  const bus = new MemoryLiveBus(log, transmit);
  const hub = new Hub({
    log,
    bus,
    now,
    pageSize: 7,
    yieldTurn: fanOut.yieldTurn ?? setImmediate,
    ...(fanOut.sliceSize ? { sliceSize: fanOut.sliceSize } : {}),
    ...(fanOut.maxPending ? { maxPending: fanOut.maxPending } : {}),
    schedule: (run, ms) => {
      const t = setTimeout(run, ms);
      return () => clearTimeout(t);
    },
  });
  const open: Subscription[] = [];
  const subscribe = async (channels: string[], cursor: Cursor | null = null) => {
    const sink = new Recorder();
    const sub = new Subscription({ hub, log, specs: channels.map(parseSubscription), cursor, sink, maxChannels: 100 });
    open.push(sub);
    await sub.start();
    return { sub, sink };
  };
  const publish = async (channel: string, data: unknown) => {
    clock += 1;
    return (await log.append(channel, { event: 'message', data: data as never, ack: false })).id;
  };
  return { log, bus, hub, subscribe, publish, close: () => open.forEach((s) => s.close()) };
}

let current: ReturnType<typeof cluster> | undefined;
afterEach(() => current?.close());

describe('Subscription over a hub', () => {
  it('delivers every event once, in order, when the live path drops, repeats and reorders', async () => {
    current = cluster(unreliable(seeded(42)));
    const { sink } = await current.subscribe(['orders']);
    const published: string[] = [];
    for (let i = 0; i < 300; i++) {
      published.push(await current.publish('orders', i));
      if (i % 25 === 0) await tick();
    }
    await current.publish('orders', 'last'); // lost or not, a later one reveals any gap before it
    await settle();
    await current.publish('orders', 'final');
    await settle();
    expect(sink.ids().slice(0, 300)).toEqual(published);
    expect(new Set(sink.ids()).size).toBe(sink.ids().length);
  });

  it('gives every subscriber each event once, in order, while sliced passes run and subscribers come and go', async () => {
    const random = seeded(7);
    // Slices of 3 listeners, each next slice after a random delay: passes overlap publishes,
    // attaches, closes and gap fills; a full queue (maxPending 4) holds notifications back.
    current = cluster(unreliable(seeded(11)), { sliceSize: 3, maxPending: 4, yieldTurn: (run) => setTimeout(run, Math.floor(random() * 3)) });
    const published: string[] = [];
    const joined: { from: number; fromCursor?: true; sink: Recorder; sub: Subscription; leftAt?: number }[] = [];
    for (let i = 0; i < 8; i++) joined.push({ from: 0, ...(await current.subscribe(['fan'])) });
    for (let i = 0; i < 240; i++) {
      published.push(await current.publish('fan', i));
      if (i % 20 === 10) {
        // One joins from a cursor a little behind, one from now; one leaves.
        const behind = Math.max(0, published.length - 1 - Math.floor(random() * 10));
        const cursor = { floor: '0-0', positions: new Map([['fan', published[behind]!]]) };
        joined.push({ from: behind + 1, fromCursor: true, ...(await current.subscribe(['fan'], cursor)) });
        joined.push({ from: published.length, ...(await current.subscribe(['fan'])) });
        const leaving = joined[Math.floor(random() * joined.length)]!;
        if (leaving.leftAt === undefined) {
          leaving.sub.close();
          leaving.leftAt = leaving.sink.ids().length;
        }
      }
      if (i % 7 === 0) await tick();
    }
    published.push(await current.publish('fan', 'last')); // lost or not, a later one reveals any gap before it
    await settle();
    published.push(await current.publish('fan', 'final'));
    await waitFor(() => joined.every((j) => j.leftAt !== undefined || j.sink.ids().at(-1) === published.at(-1)));
    for (const { from, fromCursor, sink, leftAt } of joined) {
      const ids = sink.ids();
      if (ids.length === 0) {
        expect(leftAt).toBe(0);
        continue;
      }
      // A run of the channel, in order, each once, starting at or before where it joined (a feed
      // that lags serves a new subscriber from where it is), to the end unless it left.
      const start = published.indexOf(ids[0]!);
      expect(start).toBeGreaterThanOrEqual(0);
      if (fromCursor) expect(start).toBe(from); // exactly what follows its cursor
      else expect(start).toBeLessThanOrEqual(from);
      expect(ids).toEqual(published.slice(start, start + ids.length));
      if (leftAt === undefined) expect(start + ids.length).toBe(published.length);
    }
  });

  it('serves a pass over many subscribers in slices, yielding the event loop between them', async () => {
    const turns: (() => void)[] = [];
    current = cluster(undefined, { sliceSize: 3, yieldTurn: (run) => turns.push(run) });
    const subs: { sink: Recorder }[] = [];
    for (let i = 0; i < 10; i++) subs.push(await current.subscribe(['sliced']));
    const id = await current.publish('sliced', 'one');
    await tick();
    const served = () => subs.filter((s) => s.sink.ids().includes(id)).length;
    expect(served()).toBe(3); // the first slice; the rest waits for the next turns
    for (const expected of [6, 9, 10]) {
      turns.shift()!();
      expect(served()).toBe(expected);
    }
    expect(turns).toHaveLength(0);
  });

  it('resumes from a cursor: the events after it from the log, then live', async () => {
    current = cluster();
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push(await current.publish('news/uk', i));
    const { sink, sub } = await current.subscribe(['news/uk'], { floor: '0-0', positions: new Map([['news/uk', ids[4]!]]) });
    const live = await current.publish('news/uk', 'live');
    await settle();
    expect(sink.ids()).toEqual([...ids.slice(5), live]);
    expect(decodeCursor(sub.cursor()).positions.get('news/uk')).toBe(live);
  });

  it('has handed the sink everything the log held when it started once caughtUp() resolves', async () => {
    current = cluster();
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push(await current.publish('backlog', i)); // three pages of 7
    const { sink, sub } = await current.subscribe(['backlog'], { floor: '0-0', positions: new Map([['backlog', '0-0']]) });
    await sub.caughtUp();
    expect(sink.ids()).toEqual(ids);
  });

  it('reports the losses it is given (a device\'s lapsed membership) before any event', async () => {
    current = cluster();
    const missed = await current.publish('lapsed', 'missed');
    const sink = new Recorder();
    const order: string[] = [];
    sink.events = (batch) => void order.push(...batch.events.map((e) => `event ${e.id}`));
    sink.reset = (gap) => void order.push(`reset ${gap.reason}`);
    const lapse = { channel: 'lapsed', lostFrom: '0-0', lostTo: missed, reason: 'membership-expired' } as const;
    const sub = new Subscription({
      hub: current.hub,
      log: current.log,
      specs: [parseSubscription('lapsed')],
      cursor: { floor: '0-0', positions: new Map([['lapsed', missed]]) },
      lapses: [lapse],
      sink,
      maxChannels: 10,
    });
    await sub.start();
    const next = await current.publish('lapsed', 'next');
    await settle();
    sub.close();
    expect(order).toEqual(['reset membership-expired', `event ${next}`]);
  });

  it('starts from now without a cursor', async () => {
    current = cluster();
    await current.publish('a', 'old');
    const { sink } = await current.subscribe(['a']);
    const fresh = await current.publish('a', 'new');
    await settle();
    expect(sink.ids()).toEqual([fresh]);
  });

  it('says reset, naming the lost range, when the cursor is older than retention', async () => {
    current = cluster();
    const ids = [];
    for (let i = 0; i < 10; i++) ids.push(await current.publish('a', i));
    current.log.trim('a', 3);
    const { sink } = await current.subscribe(['a'], { floor: '0-0', positions: new Map([['a', ids[2]!]]) });
    await settle();
    expect(sink.resets).toEqual([{ channel: 'a', lostFrom: ids[2], lostTo: ids[6], reason: 'retention' }]);
    expect(sink.ids()).toEqual(ids.slice(7));
  });

  it('follows a wildcard: channels that appear later, one level for +, not others', async () => {
    current = cluster();
    const { sink } = await current.subscribe(['news/+/sport']);
    const uk = await current.publish('news/uk/sport', 1);
    await current.publish('news/uk/weather', 2);
    await current.publish('news/uk/sport/extra', 3);
    const fr = await current.publish('news/fr/sport', 4);
    await settle();
    expect(sink.received.map((e) => [e.channel, e.id])).toEqual([
      ['news/uk/sport', uk],
      ['news/fr/sport', fr],
    ]);
  });

  it('starts a fresh wildcard subscription from now: no reset, no replay of recent channels', async () => {
    current = cluster();
    await current.publish('recent/a', 'before');
    clock += 10;
    const { sink } = await current.subscribe(['recent/#']);
    const after = await current.publish('recent/a', 'after');
    await settle();
    expect(sink.resets).toEqual([]);
    expect(sink.ids()).toEqual([after]);
  });

  it('resumes a wildcard subscription, including channels first seen while it was away', async () => {
    current = cluster();
    const first = await current.subscribe(['chat/#']);
    const a1 = await current.publish('chat/a', 1);
    await settle();
    const cursor = decodeCursor(first.sub.cursor());
    first.sub.close();
    const a2 = await current.publish('chat/a', 2);
    const b1 = await current.publish('chat/b', 3);
    const second = await current.subscribe(['chat/#'], cursor);
    await settle();
    expect(first.sink.ids()).toEqual([a1]);
    expect(second.sink.received.map((e) => e.id).sort()).toEqual([a2, b1].sort());
  });

  it('backfills what the live path missed while it was interrupted', async () => {
    let connected = true;
    current = cluster((n, deliver) => connected && queueMicrotask(() => deliver(n)));
    const exact = await current.subscribe(['room/1']);
    const wild = await current.subscribe(['room/#']);
    const before = clock;
    connected = false;
    const missed = [await current.publish('room/1', 'x'), await current.publish('room/2', 'y')];
    connected = true;
    current.bus.interrupt(before);
    await settle();
    expect(exact.sink.ids()).toEqual([missed[0]]);
    expect(wild.sink.received.map((e) => e.channel).sort()).toEqual(['room/1', 'room/2']);
  });

  it('shares one node-level feed among subscriptions and drops it when the last one leaves', async () => {
    current = cluster();
    const one = await current.subscribe(['shared']);
    const two = await current.subscribe(['shared']);
    expect(current.hub.feedCount).toBe(1);
    one.sub.close();
    expect(current.hub.feedCount).toBe(1);
    two.sub.close();
    expect(current.hub.feedCount).toBe(0);
  });

  it('releases the node feed when closed while it is still starting', async () => {
    current = cluster();
    const other = await current.subscribe(['busy']);
    const sink = new Recorder();
    const sub = new Subscription({ hub: current.hub, log: current.log, specs: [parseSubscription('busy'), parseSubscription('solo')], cursor: null, sink, maxChannels: 10 });
    const starting = sub.start();
    sub.close();
    await starting;
    expect(current.hub.feed('solo')).toBeUndefined();
    expect(current.hub.feed('busy')?.exactRefs).toBe(1); // the other subscription keeps its share
    other.sub.close();
  });

  it('releases its wildcard watch when closed while it is still starting', async () => {
    current = cluster();
    const sub = new Subscription({ hub: current.hub, log: current.log, specs: [parseSubscription('news/#')], cursor: null, sink: new Recorder(), maxChannels: 10 });
    const starting = sub.start();
    sub.close();
    await starting;
    await current.publish('news/uk', 1);
    await settle();
    expect(current.hub.feed('news/uk')).toBeUndefined(); // nothing still watches news/#
  });

  it('paces a replay by the connection: no read while the sink is congested', async () => {
    current = cluster();
    for (let i = 0; i < 30; i++) await current.publish('slow', i);
    let release: () => void = () => undefined;
    const sink = new Recorder();
    sink.congestion = () => (sink.received.length >= 7 ? new Promise<void>((resolve) => (release = resolve)) : null);
    const sub = new Subscription({
      hub: current.hub,
      log: current.log,
      specs: [parseSubscription('slow')],
      cursor: { floor: '0-0', positions: new Map([['slow', '0-0']]) },
      sink,
      maxChannels: 10,
    });
    await sub.start();
    await settle();
    expect(sink.received.length).toBe(7); // one page, then it waits
    sink.congestion = () => null;
    release();
    await settle();
    expect(sink.received.length).toBe(30);
    sub.close();
  });
});
