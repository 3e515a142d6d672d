import {
  type Claim,
  type ClaimedEvent,
  type ConsumerGroups,
  type GroupAckOutcome,
  type GroupInfo,
  type GroupSettings,
  type LogGap,
  MAX_DEAD_LETTERS,
} from '@tidings/core';
import { type GroupStart, previousStreamId, type StreamId, TidingsError } from '@tidings/protocol';
import type { GroupEntryReply, RedisClient } from './redis-client.js';
import { toEvent } from './redis-event-log.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Consumer groups as Redis Streams consumer groups on the channel's own log: XREADGROUP hands out
 * new events, XAUTOCLAIM the expired ones, XACK settles them. Settings and dead letters live in
 * the channel's hash tag, so every step is one script on one Cluster slot.
 */
export class RedisConsumerGroups implements ConsumerGroups {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async put(channel: string, group: string, start: GroupStart, settings: GroupSettings): Promise<boolean> {
    const { keys } = this;
    const from = start === 'new' ? '$' : start === 'all' ? '0' : start;
    const created = (await this.redis.tidingsGroupPut(keys.log(channel), keys.groups(channel), group, from, JSON.stringify({ v: settings.visibilityMs, m: settings.maxDeliveries }))) === 1;
    await this.redis.sadd(keys.groupIndex(), `${channel} ${group}`);
    return created;
  }

  async info(channel: string, group: string): Promise<GroupInfo | undefined> {
    return (await this.read(channel, group))[0];
  }

  async list(channel: string): Promise<GroupInfo[]> {
    return this.read(channel, '');
  }

  async remove(channel: string, group: string): Promise<boolean> {
    const { keys } = this;
    const removed = await this.redis.tidingsGroupRemove(keys.log(channel), keys.groups(channel), keys.deadLetters(channel, group), group);
    await this.redis.srem(keys.groupIndex(), `${channel} ${group}`);
    return removed === 1;
  }

  async claim(channel: string, group: string, consumer: string, count: number): Promise<Claim> {
    const { keys } = this;
    const reply = await this.redis.tidingsGroupClaim(keys.log(channel), keys.meta(channel), keys.groups(channel), keys.deadLetters(channel, group), group, consumer, count, MAX_DEAD_LETTERS);
    if (reply[0] === 'no-group') throw notFound(channel, group);
    const [, events, lost, dead, unreadFrom, unreadTo] = reply;
    const resets: LogGap[] = [];
    if (unreadFrom !== '') resets.push({ channel, lostFrom: unreadFrom, lostTo: unreadTo, reason: 'retention' });
    for (const id of lost) resets.push({ channel, lostFrom: previousStreamId(id), lostTo: id, reason: 'retention' });
    return { events: events.map((entry) => claimed(channel, entry)), resets, dead: dead.map((entry) => claimed(channel, entry)) };
  }

  async ack(channel: string, group: string, ids: readonly StreamId[]): Promise<GroupAckOutcome[]> {
    return this.settle(channel, group, 'ack', ids);
  }

  async nack(channel: string, group: string, ids: readonly StreamId[]): Promise<GroupAckOutcome[]> {
    return this.settle(channel, group, 'nack', ids);
  }

  async all(limit: number): Promise<{ channel: string; group: string }[]> {
    const all: { channel: string; group: string }[] = [];
    let cursor = '0';
    do {
      const [next, members] = await this.redis.sscan(this.keys.groupIndex(), cursor, 'COUNT', Math.min(1000, limit));
      for (const member of members) {
        const space = member.indexOf(' ');
        if (all.length < limit) all.push({ channel: member.slice(0, space), group: member.slice(space + 1) });
      }
      cursor = next;
    } while (cursor !== '0' && all.length < limit);
    return all;
  }

  private async settle(channel: string, group: string, how: 'ack' | 'nack', ids: readonly StreamId[]): Promise<GroupAckOutcome[]> {
    const { keys } = this;
    const reply = await this.redis.tidingsGroupAck(keys.log(channel), keys.groups(channel), group, how, ...ids);
    if (reply[0] === 'no-group') throw notFound(channel, group);
    return reply[1].map((done) => (done === 1 ? 'acked' : 'unknown'));
  }

  private async read(channel: string, group: string): Promise<GroupInfo[]> {
    const { keys } = this;
    const rows = await this.redis.tidingsGroupInfo(keys.log(channel), keys.groups(channel), keys.deadLettersPrefix(channel), group);
    return rows.map(([name, settings, consumers, pending, lastDeliveredId, lag, dead]) => {
      const { v, m } = JSON.parse(settings) as { v: number; m: number };
      return { channel, group: name, visibilityMs: v, maxDeliveries: m, consumers, pending, lag: lag < 0 ? null : lag, lastDeliveredId, dead };
    });
  }
}

function claimed(channel: string, [id, fields, deliveries]: GroupEntryReply): ClaimedEvent {
  return { ...toEvent(channel, id, fields), deliveries };
}

function notFound(channel: string, group: string): TidingsError {
  return new TidingsError('TIDINGS_GROUP_NOT_FOUND', `${channel} has no consumer group ${group}`);
}
