import type { LiveBus, PresenceChange, PresenceStore } from '@tidings/core';
import { expect, it } from 'vitest';
import type { ManualClock } from './manual-clock.js';

export interface PresenceStoreFixture {
  readonly presence: PresenceStore;
  /** The live path the store announces joins and leaves on. */
  readonly bus: LiveBus;
  /** The store's clock: what it stamps and reads the TTL against. */
  readonly clock: ManualClock;
}

const TTL_MS = 30_000;

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!check()) throw new Error(`gave up waiting for ${what}`);
}

/** Collects the announcements on `channel`; `settled` waits until those made so far have all arrived. */
async function listen(fixture: PresenceStoreFixture, channel: string): Promise<{ changes: string[]; settled: () => Promise<void> }> {
  const heard: PresenceChange[] = [];
  fixture.bus.setListener({ notify: () => undefined, redeliver: () => undefined, resync: () => undefined, presenceChanged: (c) => heard.push(c) });
  await fixture.bus.watchChannel(channel);
  let sentinels = 0;
  const changes: string[] = [];
  return {
    changes,
    // The live path keeps order: once a sentinel's join is heard, everything before it was.
    settled: async () => {
      const sentinel = `sentinel-${++sentinels}`;
      await fixture.presence.refresh(channel, 'n0', [sentinel]);
      await until(() => heard.some((c) => c.device === sentinel), `${sentinel}'s join`);
      await fixture.presence.leave(channel, 'n0', [sentinel]);
      changes.push(...heard.splice(0).filter((c) => !c.device.startsWith('sentinel-')).map((c) => `${c.action} ${c.device}@${c.node}${c.reason ? ` ${c.reason}` : ''}`));
    },
  };
}

/** The rules of presence (docs/architecture.md "Presence"), for any PresenceStore. */
export function presenceStoreContract(create: (options: { ttlMs: number }) => Promise<PresenceStoreFixture>): void {
  it('lists each device once per node it is on, sorted, with since kept from its first report while it stays fresh', async () => {
    const { presence, clock } = await create({ ttlMs: TTL_MS });
    const first = clock.now();
    await presence.refresh('lobby', 'n1', ['bo', 'al']);
    clock.advance(1000);
    await presence.refresh('lobby', 'n1', ['al']);
    await presence.refresh('lobby', 'n2', ['al']);
    await presence.refresh('kitchen', 'n1', ['cy']);
    expect(await presence.online('lobby')).toEqual([
      { device: 'al', node: 'n1', since: first, lastSeen: first + 1000 },
      { device: 'al', node: 'n2', since: first + 1000, lastSeen: first + 1000 },
      { device: 'bo', node: 'n1', since: first, lastSeen: first },
    ]);
    expect(await presence.online('nowhere')).toEqual([]);
  });

  it('leaves out devices not refreshed within the TTL, and starts one that comes back afresh', async () => {
    const { presence, clock } = await create({ ttlMs: TTL_MS });
    await presence.refresh('lobby', 'n1', ['al', 'bo']);
    clock.advance(TTL_MS / 2);
    await presence.refresh('lobby', 'n1', ['bo']);
    clock.advance(TTL_MS / 2 + 1);
    expect((await presence.online('lobby')).map((e) => e.device)).toEqual(['bo']);
    await presence.refresh('lobby', 'n1', ['al']);
    expect((await presence.online('lobby')).find((e) => e.device === 'al')).toEqual({ device: 'al', node: 'n1', since: clock.now(), lastSeen: clock.now() });
  });

  it('forgets a device that left only on the node it left', async () => {
    const { presence } = await create({ ttlMs: TTL_MS });
    await presence.refresh('lobby', 'n1', ['al']);
    await presence.refresh('lobby', 'n2', ['al']);
    await presence.leave('lobby', 'n1', ['al', 'never-here']);
    expect((await presence.online('lobby')).map((e) => `${e.device}@${e.node}`)).toEqual(['al@n2']);
  });

  it('announces a device becoming present through a node and leaving it, once each, and one that went stale as joining again', async () => {
    const fixture = await create({ ttlMs: TTL_MS });
    const { presence, clock } = fixture;
    const { changes, settled } = await listen(fixture, 'lobby');
    await presence.refresh('lobby', 'n1', ['kim']);
    await presence.refresh('lobby', 'n1', ['kim']); // the periodic refresh: no news
    await presence.refresh('lobby', 'n2', ['kim']);
    await presence.leave('lobby', 'n1', ['kim']);
    await presence.leave('lobby', 'n1', ['kim']); // gone already: no news
    await presence.refresh('elsewhere', 'n1', ['lee']); // not a watched channel
    clock.advance(TTL_MS + 1);
    await presence.refresh('lobby', 'n2', ['kim']);
    await settled();
    expect(changes).toEqual(['join kim@n1', 'join kim@n2', 'leave kim@n1', 'join kim@n2']);
  });
}
