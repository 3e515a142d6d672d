/** Number of sorted sets the channel directory is spread over (each in its own Cluster slot). */
export const DIRECTORY_SHARDS = 16;

const PREFIX_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Every Redis key and pub/sub channel name Tidings uses, built here and nowhere else.
 * A channel's keys share the hash tag `{c:<channel>}`, and a device's own keys `{d:<device>}`, so
 * one script can touch them all in a Redis Cluster; channel names, patterns and device ids cannot
 * contain braces, so a name cannot move its keys' slot.
 */
export class RedisKeys {
  private readonly livePrefix: string;

  constructor(readonly prefix = 'tidings') {
    // Also keeps glob metacharacters out of PSUBSCRIBE patterns built from it.
    if (!PREFIX_RE.test(prefix)) throw new Error(`invalid Redis key prefix '${prefix}': use 1-64 of A-Z a-z 0-9 _ . -`);
    this.livePrefix = `${prefix}:live:`;
  }

  log(channel: string): string {
    return `${this.prefix}:{c:${channel}}:log`;
  }

  /** Hash of per-channel facts the stream cannot keep itself (the newest trimmed id). */
  meta(channel: string): string {
    return `${this.prefix}:{c:${channel}}:meta`;
  }

  /** Sorted set of device → last seen ms: who owes receipts for the channel's ack events. */
  members(channel: string): string {
    return `${this.prefix}:{c:${channel}}:members`;
  }

  /** Hash of device → receipt state for one ack event. */
  receipts(channel: string, id: string): string {
    return this.receiptsPrefix(channel) + id;
  }

  receiptsPrefix(channel: string): string {
    return `${this.prefix}:{c:${channel}}:rcpt:`;
  }

  /** Sorted set of ack event id → when the worker is next due for it: events still owed receipts. */
  acks(channel: string): string {
    return `${this.prefix}:{c:${channel}}:acks`;
  }

  /** Sorted set of "<device> <id>" (lexicographic): events to send a device again when it connects. */
  owed(channel: string): string {
    return `${this.prefix}:{c:${channel}}:owed`;
  }

  /** Hash of device → the last event id written to it: where a device without a cursor resumes. */
  positions(channel: string): string {
    return `${this.prefix}:{c:${channel}}:positions`;
  }

  /** Hash of consumer group → its settings (visibility, max deliveries); the groups themselves live on the log. */
  groups(channel: string): string {
    return `${this.prefix}:{c:${channel}}:groups`;
  }

  /** Stream of a group's dead letters: events handed out its maximum number of times. */
  deadLetters(channel: string, group: string): string {
    return this.deadLettersPrefix(channel) + group;
  }

  deadLettersPrefix(channel: string): string {
    return `${this.prefix}:{c:${channel}}:dead:`;
  }

  /** Set of "<channel> <group>": every consumer group, for the admin API. */
  groupIndex(): string {
    return `${this.prefix}:{groups}:index`;
  }

  /** Sorted set of pattern → last seen ms: the wildcard patterns a device follows durably. */
  devicePatterns(device: string): string {
    return `${this.prefix}:{d:${device}}:patterns`;
  }

  /** Hash of one durable pattern of a device: '~floor' → when it began, channel → last id written. */
  devicePattern(device: string, pattern: string): string {
    return `${this.prefix}:{d:${device}}:pattern:${pattern}`;
  }

  /** Hash of topic filter → granted QoS: the subscriptions a persistent MQTT session keeps (ADR 16). */
  mqttFilters(device: string): string {
    return `${this.prefix}:{d:${device}}:mqtt-filters`;
  }

  /** Sorted set of channel → last ack publish time: where the worker's reconciler looks. */
  ackChannels(): string {
    return `${this.prefix}:{acks}:channels`;
  }

  /** BullMQ's key prefix: one hash tag, so each queue's keys share a Cluster slot. */
  jobsPrefix(): string {
    return `${this.prefix}:{jobs}`;
  }

  /** Hash of "<device> <node>" → "<since> <lastSeen>": who is online on the channel, through which node. */
  presence(channel: string): string {
    return `${this.prefix}:{c:${channel}}:presence`;
  }

  idempotency(channel: string, key: string): string {
    return `${this.prefix}:{c:${channel}}:idem:${key}`;
  }

  /** Sorted set of channel → last publish time, for finding channels a wildcard matches. */
  directory(shard: number): string {
    return `${this.prefix}:{dir:${shard}}:channels`;
  }

  directoryShard(channel: string): number {
    let hash = 2166136261; // FNV-1a: cheap and evenly spread
    for (let i = 0; i < channel.length; i++) {
      hash ^= channel.charCodeAt(i);
      hash = Math.imul(hash, 16777619);
    }
    return (hash >>> 0) % DIRECTORY_SHARDS;
  }

  /** A principal's publish budget (token bucket); its own hash tag spreads principals over the Cluster. */
  rateBucket(principal: string): string {
    return `${this.prefix}:{rate:${principal}}`;
  }

  /** Hash of API key id → the stored key (a hash of its secret, its grants). */
  apiKeys(): string {
    return `${this.prefix}:{apikeys}`;
  }

  /** Hash of edge node → its latest report (admin API). */
  nodes(): string {
    return `${this.prefix}:{nodes}`;
  }

  live(channel: string): string {
    return this.livePrefix + channel;
  }

  liveGlob(glob: string): string {
    return this.livePrefix + glob;
  }

  /** The channel a live pub/sub message is about, or undefined for a name not ours. */
  channelOfLive(name: string): string | undefined {
    return name.startsWith(this.livePrefix) ? name.slice(this.livePrefix.length) : undefined;
  }
}
