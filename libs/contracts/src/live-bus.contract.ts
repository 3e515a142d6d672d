import type { EventLog, LiveBus, LiveNotification } from '@tidings/core';
import type { StreamId } from '@tidings/protocol';
import { expect, it } from 'vitest';

export interface LiveBusFixture {
  readonly bus: LiveBus;
  /** Appends here are what the bus notifies. */
  readonly log: EventLog;
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!check()) throw new Error(`gave up waiting for ${what}`);
}

function listen(bus: LiveBus): LiveNotification[] {
  const heard: LiveNotification[] = [];
  bus.setListener({ notify: (n) => heard.push(n), redeliver: () => undefined, presenceChanged: () => undefined, resync: () => undefined });
  return heard;
}

const append = async (log: EventLog, channel: string, data: string): Promise<StreamId> => (await log.append(channel, { event: 'message', data, ack: false })).id;

/**
 * The rules of the live path (docs/architecture.md "The live path"), for any LiveBus: at most once
 * and in order per channel, each notification naming the id before it so a gap can be seen.
 * Order across channels is not promised (in a Cluster, channels on different shards arrive apart),
 * nor that nothing arrives after an unwatch: a message already crossing the Cluster bus may.
 */
export function liveBusContract(create: () => Promise<LiveBusFixture>): void {
  it('notifies each append on a watched channel, in order, with the id before it', async () => {
    const { bus, log } = await create();
    const heard = listen(bus);
    await bus.watchChannel('live/1');
    const a = await append(log, 'live/1', 'a');
    const b = await append(log, 'live/1', 'b');
    await until(() => heard.length >= 2, 'two notifications');
    expect(heard).toEqual([
      { channel: 'live/1', id: a, prev: '0-0', event: 'message', data: '"a"' },
      { channel: 'live/1', id: b, prev: a, event: 'message', data: '"b"' },
    ]);
  });

  it('notifies appends on the channels a watched glob matches, once each even when the channel and several globs match', async () => {
    const { bus, log } = await create();
    const heard = listen(bus);
    await bus.watchGlob('both/*');
    await bus.watchGlob('both/r*');
    await bus.watchChannel('both/room');
    const ids = [await append(log, 'both/room', '1'), await append(log, 'both/room', '2'), await append(log, 'both/other', '3')];
    await until(() => heard.length >= 3, 'three notifications');
    await append(log, 'both/room', 'closing');
    await until(() => heard.some((n) => n.data === '"closing"'), 'the closing notification');
    expect(heard.filter((n) => n.channel === 'both/room').map((n) => n.id)).toEqual([ids[0], ids[1], expect.any(String)]);
    expect(heard.filter((n) => n.channel === 'both/other').map((n) => n.id)).toEqual([ids[2]]);
  });
}
