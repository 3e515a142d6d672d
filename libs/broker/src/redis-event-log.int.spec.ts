import { Hub, type LiveNotification, type LoggedEvent, planRetryRound, type PresenceChange, type Redelivery, type RetryPolicy, Subscription, type SubscriptionSink } from '@tidings/core';
import { parseSubscription, type PublishRequest } from '@tidings/protocol';
import { type RedisCluster, type RedisServer, startRedisCluster, useOrStartRedis } from '@tidings/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, createSubscriberFactory, type RedisClient, type RedisTarget } from './redis-client.js';
import { RedisEventLog } from './redis-event-log.js';
import { RedisKeys } from './redis-keys.js';
import { RedisLiveBus } from './redis-live-bus.js';
import { RedisPresenceStore } from './redis-presence-store.js';
import { RedisPruning } from './redis-pruning.js';
import { RedisReceiptRetries } from './redis-receipt-retries.js';
import { RedisReceiptStore } from './redis-receipt-store.js';
import { RedisDeviceStore } from './redis-device-store.js';
import { RedisConsumerGroups } from './redis-consumer-groups.js';

const policy: RetryPolicy = { ackTimeoutMs: 1_000, maxRetries: 2, backoffBaseMs: 1_000, backoffMaxMs: 1_000, deadlineMs: 60_000 };

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

describe.each(targets)('RedisEventLog and RedisLiveBus on $name', ({ name, start }) => {
  let stop: () => Promise<void>;
  let target: RedisTarget;
  let redis: RedisClient;
  let bus: RedisLiveBus;
  const keys = new RedisKeys(`t${process.pid}`);
  const notifications: LiveNotification[] = [];
  const redeliveries: Redelivery[] = [];
  const presenceChanges: PresenceChange[] = [];

  beforeAll(async () => {
    ({ target, stop } = await start());
    redis = createRedisClient(target, 'test');
    bus = new RedisLiveBus({ keys, openConnection: createSubscriberFactory(target, 'test-live'), onError: () => undefined });
    bus.setListener({
      notify: (n) => notifications.push(n),
      redeliver: (r) => redeliveries.push(r),
      presenceChanged: (c) => presenceChanges.push(c),
      resync: () => undefined,
    });
  }, 60_000);

  afterAll(async () => {
    await bus?.stop();
    await redis?.quit();
    await stop?.();
  });

  const log = (maxLength = 10_000) => new RedisEventLog({ redis, keys, retention: { maxLength, maxAgeSeconds: 3600 } });
  /** Memberships, as the edges renew them for connected devices. */
  const members = () => new RedisDeviceStore(redis, keys, { idleMs: 86_400_000, maxPatterns: 16, maxChannelsPerPattern: 1024 });

  it('reports a lost stream when the channel vanished from Redis', async () => {
    const { id } = await log().append('vanishing', event(1));
    await redis.del(keys.log('vanishing'));
    expect((await log().readAfter('vanishing', id, 10)).gap).toEqual({ channel: 'vanishing', lostFrom: id, lostTo: id, reason: 'stream-lost' });
  });

  // Only a Cluster computes slots; on a standalone server this would compare nothing.
  it.runIf(name === 'Redis Cluster')('keeps all of a channel\'s keys in one Cluster slot, and spreads channels over slots', async () => {
    const probe = target.kind === 'cluster' ? new Redis({ host: target.nodes[0]!.host, port: target.nodes[0]!.port }) : undefined;
    const slot = async (key: string) => Number(await probe!.call('CLUSTER', 'KEYSLOT', key));
    const channelKeys = (channel: string) => [
      keys.log(channel), keys.meta(channel), keys.members(channel), keys.receipts(channel, '1-0'), keys.acks(channel), keys.owed(channel),
      keys.positions(channel), keys.groups(channel), keys.deadLetters(channel, 'g'), keys.presence(channel), keys.idempotency(channel, 'key'),
    ];
    for (const channel of ['a/b:c@d', 'news/eu', 'x']) {
      const slots = new Set(await Promise.all(channelKeys(channel).map(slot)));
      expect(slots.size, channel).toBe(1);
    }
    const spread = new Set(await Promise.all(['a/b:c@d', 'news/eu', 'x', 'y', 'z'].map((channel) => slot(keys.log(channel)))));
    expect(spread.size).toBeGreaterThan(1);
    probe!.disconnect();
  });

  it('expects a receipt from every member at publish time, and applies receipts once and never backwards', async () => {
    const receipts = new RedisReceiptStore(redis, keys);
    await members().renew('orders/42', ['phone', 'laptop']);
    const plain = await log().append('orders/42', event('no receipts'));
    const { id, expected } = await log().append('orders/42', event('ship it', { ack: true }));
    await members().renew('orders/42', ['late-joiner']);
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

  it('runs retry rounds: redelivers on the live path, owes the event on reconnect, then declares dead', async () => {
    const receipts = new RedisReceiptStore(redis, keys);
    const retries = new RedisReceiptRetries(redis, keys);
    await members().renew('retry/1', ['answers', 'silent']);
    await bus.watchChannel('retry/1');
    const { id } = await log().append('retry/1', event('please confirm', { ack: true }));
    expect(await retries.overdue('retry/1', Date.now() + 1, 10)).toEqual([id]);
    const open = await retries.openReceipts('retry/1', id);
    const publishedAt = open!.publishedAt;

    const first = planRetryRound(publishedAt, open!.open, policy, publishedAt + 1_000);
    expect([...(await retries.apply('retry/1', id, first, publishedAt + 1_000)).redelivered].sort()).toEqual(['answers', 'silent']);
    await until(() => redeliveries.some((r) => r.event.id === id), 'the redelivery');
    expect(redeliveries.find((r) => r.event.id === id)).toMatchObject({ event: { channel: 'retry/1', id, event: 'message', data: '"please confirm"' } });
    expect(await receipts.owed('retry/1', 'silent', 10)).toEqual([id]);
    expect(await retries.overdue('retry/1', publishedAt + 1_001, 10)).toEqual([]); // rescheduled

    // The same round again (a crashed worker's job re-run) changes nothing.
    expect((await retries.apply('retry/1', id, first, publishedAt + 1_000)).redelivered).toEqual([]);
    await receipts.record('retry/1', id, 'answers', 'received');
    expect(await receipts.owed('retry/1', 'answers', 10)).toEqual([]);

    let now = publishedAt + 2_000;
    for (let round = 0; round < 3; round++, now += 1_000) {
      const plan = planRetryRound(publishedAt, (await retries.openReceipts('retry/1', id))!.open, policy, now, () => 1);
      await retries.apply('retry/1', id, plan, now);
    }
    const page = await receipts.list('retry/1', id, { limit: 10 });
    expect(page?.devices.find((d) => d.device === 'silent')).toMatchObject({ state: 'dead', retries: 2, deadAt: expect.any(Number) });
    expect(page?.devices.find((d) => d.device === 'answers')).toMatchObject({ state: 'received', retries: 1 });
    expect(await receipts.owed('retry/1', 'silent', 10)).toEqual([]);
    expect(await retries.overdue('retry/1', Number.MAX_SAFE_INTEGER, 10)).toEqual([]); // nothing left to chase
    await expect(receipts.record('retry/1', id, 'silent', 'received')).rejects.toMatchObject({ code: 'TIDINGS_RECEIPT_CONFLICT' });
  });

  it('declares every open device dead when the event left the log before they answered', async () => {
    const retries = new RedisReceiptRetries(redis, keys);
    await members().renew('retry/2', ['a', 'b']);
    const { id } = await log().append('retry/2', event('gone soon', { ack: true }));
    await redis.xdel(keys.log('retry/2'), id);
    const open = (await retries.openReceipts('retry/2', id))!;
    const applied = await retries.apply('retry/2', id, planRetryRound(open.publishedAt, open.open, policy, open.publishedAt), open.publishedAt);
    expect(applied.outcome).toBe('trimmed');
    expect(applied.dead.map((d) => d.device).sort()).toEqual(['a', 'b']);
  });

  it('lists channels with ack events for the reconciler', async () => {
    await log().append('retry/3', event('x', { ack: true }));
    const channels: string[] = [];
    let cursor = '0';
    do {
      const page = await new RedisReceiptRetries(redis, keys).ackChannels(cursor, 100);
      channels.push(...page.channels.map((c) => c.channel));
      cursor = page.next;
    } while (cursor !== '0');
    expect(channels).toContain('retry/3');
  });

  it('prunes what a channel no longer needs and leaves live data alone', async () => {
    const pruning = new RedisPruning(redis, keys);
    const hour = 3_600_000;
    const limits = { maxAgeMs: hour, maxLength: 1000, memberIdleMs: hour, presenceTtlMs: 30_000 };
    const now = Date.now();
    // A quiet channel: two entries older than the retention, one fresh.
    await redis.xadd(keys.log('prune/quiet'), `${now - 3 * hour}-0`, 'e', 'message', 'd', '1');
    await redis.xadd(keys.log('prune/quiet'), `${now - 2 * hour}-0`, 'e', 'message', 'd', '2');
    const fresh = await redis.xadd(keys.log('prune/quiet'), '*', 'e', 'message', 'd', '3');
    // Members: one away for more than twice the idle limit (forgotten), one lapsed (remembered, to be told what it missed), one live.
    await redis.zadd(keys.members('prune/quiet'), now - 3 * hour, 'gone-device', now - 1.5 * hour, 'lapsed-device', now, 'live-device');
    await redis.hset(keys.presence('prune/quiet'), 'gone-device n1', `${now - hour} ${now - hour}`, 'live-device n2', `${now} ${now}`);
    await redis.zadd(keys.owed('prune/quiet'), 0, 'live-device 1-1'); // its receipts expired
    await redis.hset(keys.positions('prune/quiet'), 'gone-device', '1-0', 'lapsed-device', '1-5', 'live-device', '2-0');

    expect(await pruning.pruneChannel('prune/quiet', limits)).toEqual({ entries: 2, members: 1, presence: 1, owed: 1, empty: false });
    expect((await redis.xrange(keys.log('prune/quiet'), '-', '+')).map(([id]) => id)).toEqual([fresh]);
    expect(await redis.zrange(keys.members('prune/quiet'), 0, -1)).toEqual(['lapsed-device', 'live-device']);
    expect(Object.keys(await redis.hgetall(keys.presence('prune/quiet')))).toEqual(['live-device n2']);
    expect(await redis.hkeys(keys.positions('prune/quiet'))).toEqual(['lapsed-device', 'live-device']);
    // A reader behind the trimmed entries is still told exactly what it lost.
    expect((await log().readAfter('prune/quiet', '0-1', 10)).gap).toMatchObject({ reason: 'retention', lostTo: `${now - 2 * hour}-0` });
    // Pruning again removes nothing more.
    expect(await pruning.pruneChannel('prune/quiet', limits)).toEqual({ entries: 0, members: 0, presence: 0, owed: 0, empty: false });
  });

  it('trims a quiet channel to a length limit lowered since its last append', async () => {
    const pruning = new RedisPruning(redis, keys);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await log().append('prune/long', event(i))).id);
    const pruned = await pruning.pruneChannel('prune/long', { maxAgeMs: 3_600_000, maxLength: 2, memberIdleMs: 3_600_000, presenceTtlMs: 30_000 });
    expect(pruned.entries).toBe(3);
    expect((await log().readAfter('prune/long', '0-1', 10)).events.map((e) => e.id)).toEqual(ids.slice(3));
    expect((await log().readAfter('prune/long', '0-1', 10)).gap).toMatchObject({ reason: 'retention', lostTo: ids[2] });
  });

  it('removes a channel with nothing left, keeping what tells a returning reader it lost events', async () => {
    const pruning = new RedisPruning(redis, keys);
    const old = `${Date.now() - 7_200_000}-0`;
    await redis.xadd(keys.log('prune/empty'), old, 'e', 'message', 'd', '1');
    await redis.zadd(keys.directory(keys.directoryShard('prune/empty')), 5, 'prune/empty');
    const pruned = await pruning.pruneChannel('prune/empty', { maxAgeMs: 3_600_000, maxLength: 1000, memberIdleMs: 3_600_000, presenceTtlMs: 30_000 });
    expect(pruned).toMatchObject({ entries: 1, empty: true });
    expect(await redis.exists(keys.log('prune/empty'))).toBe(0);
    expect(await pruning.forgetChannel('prune/empty', 4)).toBe(false); // stamped since: stays listed
    expect(await pruning.forgetChannel('prune/empty', 5)).toBe(true);
    await log().append('prune/empty', event('back'));
    expect((await log().readAfter('prune/empty', '0-1', 10)).gap).toMatchObject({ reason: 'retention', lostTo: old });
  });

  it('forgets a removed channel\'s metadata a retention period later, and still tells a reader from its earlier life', async () => {
    const pruning = new RedisPruning(redis, keys);
    const old = `${Date.now() - 3 * 3_600_000}-0`;
    await redis.xadd(keys.log('prune/forgotten'), old, 'e', 'message', 'd', '1');
    const retentionMs = 300;
    expect(await pruning.pruneChannel('prune/forgotten', { maxAgeMs: retentionMs, maxLength: 1000, memberIdleMs: 3_600_000, presenceTtlMs: 30_000 })).toMatchObject({ empty: true });
    const ttl = await redis.pttl(keys.meta('prune/forgotten'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(retentionMs);
    while ((await redis.exists(keys.meta('prune/forgotten'))) === 1) await new Promise((resolve) => setTimeout(resolve, 50));

    const { id: reborn } = await log().append('prune/forgotten', event('again'));
    const stale = await log().readAfter('prune/forgotten', old, 10);
    expect(stale.gap).toEqual({ channel: 'prune/forgotten', lostFrom: old, lostTo: old, reason: 'stream-lost' });
    expect(stale.events.map((e) => e.id)).toEqual([reborn]);
    expect(await log().readAfter('prune/forgotten', '0-0', 10)).toEqual({ events: [expect.objectContaining({ id: reborn })] });
    expect((await log().readAfter('prune/forgotten', reborn, 10)).gap).toBeUndefined();
    // A wildcard floor is a time, not a position in an earlier life: no reset for it.
    expect((await log().readAfter('prune/forgotten', old, 10, true)).gap).toBeUndefined();
  });

  it('keeps the metadata of a removed channel that comes back within retention', async () => {
    const pruning = new RedisPruning(redis, keys);
    const old = `${Date.now() - 7_200_000}-0`;
    await redis.xadd(keys.log('prune/back'), old, 'e', 'message', 'd', '1');
    await pruning.pruneChannel('prune/back', { maxAgeMs: 3_600_000, maxLength: 1000, memberIdleMs: 3_600_000, presenceTtlMs: 30_000 });
    expect(await redis.pttl(keys.meta('prune/back'))).toBeGreaterThan(0);
    await log().append('prune/back', event('back'));
    expect(await redis.pttl(keys.meta('prune/back'))).toBe(-1); // kept for good again while the channel lives
    expect((await log().readAfter('prune/back', '0-1', 10)).gap).toMatchObject({ reason: 'retention', lostTo: old });
  });

  it('keeps the stream of a channel that has a consumer group, with the group on it', async () => {
    const pruning = new RedisPruning(redis, keys);
    const groups = new RedisConsumerGroups(redis, keys);
    await redis.xadd(keys.log('prune/grouped'), `${Date.now() - 7_200_000}-0`, 'e', 'message', 'd', '1');
    await groups.put('prune/grouped', 'billing', 'all', { visibilityMs: 30_000, maxDeliveries: 3 });
    const pruned = await pruning.pruneChannel('prune/grouped', { maxAgeMs: 3_600_000, maxLength: 1000, memberIdleMs: 3_600_000, presenceTtlMs: 30_000 });
    expect(pruned).toMatchObject({ entries: 1, empty: false });
    expect(await redis.exists(keys.log('prune/grouped'))).toBe(1);
    const claim = await groups.claim('prune/grouped', 'billing', 'a', 10); // the group is still there, told what it lost
    expect(claim.resets).toMatchObject([{ reason: 'retention' }]);
  });

  it('forgets edge-node reports not refreshed for a long time', async () => {
    await redis.hset(keys.nodes(), 'crashed', JSON.stringify({ node: 'crashed', lastSeen: 1 }), 'alive', JSON.stringify({ node: 'alive', lastSeen: Date.now() }));
    expect(await new RedisPruning(redis, keys).pruneNodes(Date.now() - 60_000)).toBe(1);
    expect(await redis.hkeys(keys.nodes())).toEqual(['alive']);
  });

  it('announces a device becoming present through a node and leaving it, once each', async () => {
    const presence = new RedisPresenceStore(redis, keys, 30_000);
    await bus.watchChannel('lobby');
    await presence.refresh('lobby', 'n1', ['kim']);
    await presence.refresh('lobby', 'n1', ['kim']); // a periodic refresh: no news
    await presence.leave('lobby', 'n1', ['kim']);
    await presence.leave('lobby', 'n1', ['kim']); // gone already: no news
    await until(() => presenceChanges.filter((c) => c.channel === 'lobby').length >= 2, 'join and leave');
    await presence.refresh('lobby', 'n2', ['sentinel']);
    await until(() => presenceChanges.some((c) => c.device === 'sentinel'), 'the sentinel join');
    expect(presenceChanges.filter((c) => c.channel === 'lobby').map((c) => `${c.action} ${c.device}@${c.node}`)).toEqual([
      'join kim@n1',
      'leave kim@n1',
      'join sentinel@n2',
    ]);
  });

  it('hands on each message once when the channel and globs that match it are all watched', async () => {
    await bus.watchChannel('both/room');
    await bus.watchGlob('both/*');
    await bus.watchGlob('both/r*');
    const presence = new RedisPresenceStore(redis, keys, 30_000);
    await presence.refresh('both/room', 'n1', ['ana']);
    const appended = await log().append('both/room', event('once'));
    await presence.refresh('both/room', 'n2', ['last']);
    await until(() => presenceChanges.some((c) => c.channel === 'both/room' && c.device === 'last'), 'the last join');
    expect(presenceChanges.filter((c) => c.channel === 'both/room').map((c) => c.device)).toEqual(['ana', 'last']);
    expect(notifications.filter((n) => n.id === appended.id)).toHaveLength(1);
    // Two PUBLISHes of the same text (a worker retrying the same event) are two messages, copies aside.
    const same = 'presence\njoin\ntwin\nn3\n';
    // From the channel's own node, as the scripts publish: in a Cluster a PUBLISH sent to another
    // node crosses the Cluster bus and may arrive after the join published below.
    const publishOnChannelNode = () => redis.eval("return redis.call('PUBLISH', ARGV[1], ARGV[2])", 1, keys.presence('both/room'), keys.live('both/room'), same);
    await publishOnChannelNode();
    await publishOnChannelNode();
    await presence.refresh('both/room', 'n2', ['closer']);
    await until(() => presenceChanges.some((c) => c.channel === 'both/room' && c.device === 'closer'), 'the closing join');
    expect(presenceChanges.filter((c) => c.channel === 'both/room').map((c) => c.device)).toEqual(['ana', 'last', 'twin', 'twin', 'closer']);
  });

  it('records an ack event with no members as expecting nobody', async () => {
    const { id, expected } = await log().append('lonely', event('anyone?', { ack: true }));
    expect(expected).toBe(0);
    expect(await new RedisReceiptStore(redis, keys).list('lonely', id, { limit: 10 })).toMatchObject({ expected: 0, devices: [] });
  });

  it('delivers every event in order to a subscription while its live connection is killed', async () => {
    const liveBus = new RedisLiveBus({ keys, openConnection: createSubscriberFactory(target, 'test-killed'), onError: () => undefined });
    const eventLog = log();
    const hub = new Hub({ log: eventLog, bus: liveBus, now: Date.now, yieldTurn: setImmediate, schedule: (run, ms) => { const t = setTimeout(run, ms); return () => clearTimeout(t); } });
    const received: LoggedEvent[] = [];
    const sink: SubscriptionSink = { events: (batch) => void received.push(...batch.events), reset: () => undefined, congestion: () => null, failed: (e) => { throw e; } };
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
