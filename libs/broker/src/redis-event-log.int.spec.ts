import { Hub, type LiveNotification, type LoggedEvent, Subscription, type SubscriptionSink } from '@tidings/core';
import { compareStreamIds, parseSubscription, type PublishRequest } from '@tidings/protocol';
import { type RedisCluster, type RedisServer, startRedisCluster, useOrStartRedis } from '@tidings/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, createSubscriberFactory, type RedisClient, type RedisTarget } from './redis-client.js';
import { RedisEventLog } from './redis-event-log.js';
import { RedisKeys } from './redis-keys.js';
import { RedisLiveBus } from './redis-live-bus.js';
import { RedisReceiptStore } from './redis-receipt-store.js';

const event = (data: unknown, extra: Partial<PublishRequest> = {}): PublishRequest => ({ event: 'message', data: data as never, ack: false, ...extra });

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** The same contract, run against a standalone redis-server and a real 3+3 Redis Cluster. */
const targets: { name: string; start: () => Promise<{ target: RedisTarget; stop: () => Promise<void> }> }[] = [
  {
    name: 'standalone Redis',
    start: async () => {
      const server: RedisServer = await useOrStartRedis();
      return { target: { kind: 'standalone', url: server.url }, stop: () => server.stop() };
    },
  },
  {
    name: 'Redis Cluster',
    start: async () => {
      const cluster: RedisCluster = await startRedisCluster();
      return { target: { kind: 'cluster', nodes: cluster.nodes.map(({ host, port }) => ({ host, port })), tls: false }, stop: () => cluster.stop() };
    },
  },
];

describe.each(targets)('RedisEventLog and RedisLiveBus on $name', ({ start }) => {
  let stop: () => Promise<void>;
  let target: RedisTarget;
  let redis: RedisClient;
  let bus: RedisLiveBus;
  const keys = new RedisKeys(`t${process.pid}`);
  const notifications: LiveNotification[] = [];

  beforeAll(async () => {
    ({ target, stop } = await start());
    redis = createRedisClient(target, 'test');
    bus = new RedisLiveBus({ keys, openConnection: createSubscriberFactory(target, 'test-live'), onError: () => undefined });
    bus.setListener({ notify: (n) => notifications.push(n), resync: () => undefined });
  }, 60_000);

  afterAll(async () => {
    await bus?.stop();
    await redis?.quit();
    await stop?.();
  });

  const log = (maxLength = 10_000) => new RedisEventLog({ redis, keys, retention: { maxLength, maxAgeSeconds: 3600 } });

  it('appends with increasing ids and reads them back after any position', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await log().append('orders/1', event({ n: i }))).id);
    expect([...ids].sort(compareStreamIds)).toEqual(ids);
    const page = await log().readAfter('orders/1', ids[1]!, 10);
    expect(page.gap).toBeUndefined();
    expect(page.events.map((e) => e.id)).toEqual(ids.slice(2));
    expect(JSON.parse(page.events[0]!.data)).toEqual({ n: 2 });
    expect(await log().lastId('orders/1')).toBe(ids[4]);
  });

  it('answers the same id for a repeated idempotency key and writes nothing twice', async () => {
    const first = await log().append('pay', event('x', { idempotencyKey: 'k-1' }));
    const again = await log().append('pay', event('different body', { idempotencyKey: 'k-1' }));
    expect(again).toEqual({ id: first.id, duplicate: true });
    expect((await log().readAfter('pay', '0-0', 10)).events).toHaveLength(1);
  });

  it('reports a retention gap naming the trimmed range, then what remains', async () => {
    const ids = [];
    for (let i = 0; i < 400; i++) ids.push((await log(10).append('trimmed', event(i))).id);
    const page = await log().readAfter('trimmed', ids[0]!, 1000);
    expect(page.gap?.reason).toBe('retention');
    expect(page.gap?.lostFrom).toBe(ids[0]);
    expect(compareStreamIds(page.events[0]!.id, page.gap!.lostTo)).toBeGreaterThan(0);
    expect(page.events.at(-1)?.id).toBe(ids.at(-1));
    expect(ids).toContain(page.gap!.lostTo);
  });

  it('reports a lost stream when the channel vanished from Redis', async () => {
    const { id } = await log().append('vanishing', event(1));
    await redis.del(keys.log('vanishing'));
    expect((await log().readAfter('vanishing', id, 10)).gap).toEqual({ channel: 'vanishing', lostFrom: id, lostTo: id, reason: 'stream-lost' });
  });

  it('keeps all of a channel\'s keys in one Cluster slot', async () => {
    const probe = target.kind === 'standalone' ? new Redis(target.url) : new Redis({ host: target.nodes[0]!.host, port: target.nodes[0]!.port });
    const slot = (key: string) => probe.call('CLUSTER', 'KEYSLOT', key).catch(() => 'standalone');
    expect(await slot(keys.log('a/b:c@d'))).toBe(await slot(keys.idempotency('a/b:c@d', 'key')));
    expect(await slot(keys.log('a/b:c@d'))).toBe(await slot(keys.meta('a/b:c@d')));
    probe.disconnect();
  });

  it('notifies each append with the id before it, on channel and glob subscriptions', async () => {
    await bus.watchChannel('live/1');
    await bus.watchGlob('glob/*');
    const a = await log().append('live/1', event('a'));
    const b = await log().append('live/1', event('b'));
    const g = await log().append('glob/x/y', event('g'));
    await until(() => notifications.length >= 3, 'three notifications');
    // Order is per channel: in a Cluster, channels on different shards arrive independently.
    const of = (channel: string) => notifications.filter((n) => n.channel === channel).map((n) => [n.id, n.prev]);
    expect(of('live/1')).toEqual([
      [a.id, '0-0'],
      [b.id, a.id],
    ]);
    expect(of('glob/x/y')).toEqual([[g.id, '0-0']]);
    expect(JSON.parse(notifications.find((n) => n.id === a.id)!.data)).toBe('a');
  });

  it('expects a receipt from every member at publish time, and applies receipts once and never backwards', async () => {
    const receipts = new RedisReceiptStore(redis, keys);
    await receipts.join('orders/42', ['phone', 'laptop']);
    const plain = await log().append('orders/42', event('no receipts'));
    const { id, expected } = await log().append('orders/42', event('ship it', { ack: true }));
    await receipts.join('orders/42', ['late-joiner']);
    expect(expected).toBe(2);
    expect(await receipts.list('orders/42', plain.id, { limit: 10 })).toBeUndefined();
    expect((await receipts.list('orders/42', id, { limit: 10 }))?.devices.map((d) => [d.device, d.state])).toEqual([
      ['laptop', 'pending'],
      ['phone', 'pending'],
    ]);

    await receipts.markDelivered('orders/42', id, ['phone', 'late-joiner']);
    expect(await receipts.record('orders/42', id, 'phone', 'processed', 'done')).toMatchObject({ result: 'recorded', receipt: { state: 'processed', attempts: 1, detail: 'done' } });
    expect((await receipts.record('orders/42', id, 'phone', 'processed')).result).toBe('unchanged');
    expect((await receipts.record('orders/42', id, 'phone', 'received')).result).toBe('unchanged');
    await expect(receipts.record('orders/42', id, 'phone', 'failed')).rejects.toMatchObject({ code: 'TIDINGS_RECEIPT_CONFLICT' });
    await expect(receipts.record('orders/42', id, 'late-joiner', 'received')).rejects.toMatchObject({ code: 'TIDINGS_RECEIPT_NOT_EXPECTED' });
    await expect(receipts.record('orders/42', '1-1', 'phone', 'received')).rejects.toMatchObject({ code: 'TIDINGS_RECEIPT_NOT_EXPECTED' });

    const page = await receipts.list('orders/42', id, { limit: 10 });
    expect(page?.expected).toBe(2);
    expect(page?.devices.find((d) => d.device === 'phone')).toMatchObject({ state: 'processed', attempts: 1, deliveredAt: expect.any(Number), receiptAt: expect.any(Number) });
    expect(page?.devices.find((d) => d.device === 'laptop')).toMatchObject({ state: 'pending', attempts: 0 });
    expect((await log().readAfter('orders/42', plain.id, 10)).events[0]?.ack).toBe(true);
  });

  it('records an ack event with no members as expecting nobody', async () => {
    const { id, expected } = await log().append('lonely', event('anyone?', { ack: true }));
    expect(expected).toBe(0);
    expect(await new RedisReceiptStore(redis, keys).list('lonely', id, { limit: 10 })).toMatchObject({ expected: 0, devices: [] });
  });

  it('finds channels active since a time, for wildcard discovery', async () => {
    const since = Date.now() - 1000;
    await log().append('dir/new', event(1));
    expect(await log().channelsActiveSince(since)).toContain('dir/new');
  });

  it('delivers every event in order to a subscription while its live connection is killed', async () => {
    const liveBus = new RedisLiveBus({ keys, openConnection: createSubscriberFactory(target, 'test-killed'), onError: () => undefined });
    const eventLog = log();
    const hub = new Hub({ log: eventLog, bus: liveBus, now: Date.now, schedule: (run, ms) => { const t = setTimeout(run, ms); return () => clearTimeout(t); } });
    const received: LoggedEvent[] = [];
    const sink: SubscriptionSink = { event: (e) => received.push(e), reset: () => undefined, congestion: () => null, failed: (e) => { throw e; } };
    const sub = new Subscription({ hub, log: eventLog, specs: [parseSubscription('resilient')], cursor: null, sink, maxChannels: 10 });
    await sub.start();
    const published = [];
    for (let i = 0; i < 60; i++) {
      published.push((await eventLog.append('resilient', event(i))).id);
      if (i === 20 || i === 40) await killPubSubClients(target);
    }
    await until(() => received.length >= published.length, 'all events after reconnects');
    expect(received.map((e) => e.id)).toEqual(published);
    sub.close();
    await liveBus.stop();
  }, 30_000);
});

/** Cuts every pub/sub connection, as a Redis restart or a network blip would. */
async function killPubSubClients(target: RedisTarget): Promise<void> {
  const nodes = target.kind === 'standalone' ? [target.url] : target.nodes.map((n) => `redis://${n.host}:${n.port}`);
  for (const url of nodes) {
    const admin = new Redis(url);
    await admin.client('KILL', 'TYPE', 'pubsub');
    admin.disconnect();
  }
}
