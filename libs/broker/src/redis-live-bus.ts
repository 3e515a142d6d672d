import type { LiveBus, LiveBusListener, LiveNotification, PresenceChange, Redelivery } from '@tidings/core';
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';

export interface RedisLiveBusOptions {
  readonly keys: RedisKeys;
  /** Opens a fresh subscriber connection; called again when one is given up on. */
  readonly openConnection: () => Redis;
  readonly onError: (error: unknown, context: string) => void;
  readonly onResubscribed?: () => void;
  readonly now?: () => number;
}

/** Channels per SUBSCRIBE command when restoring thousands of subscriptions after a reconnect. */
const RESUBSCRIBE_BATCH = 1000;

/**
 * The live path over classic Redis pub/sub: one subscription per active channel or wildcard glob
 * on one dedicated connection per node. Pub/sub is at-most-once, so after any interruption the bus
 * restores its subscriptions first and then asks the hub to backfill from the log (resync).
 */
export class RedisLiveBus implements LiveBus {
  private listener: LiveBusListener | undefined;
  private connection: Redis;
  private readonly channels = new Set<string>();
  private readonly globs = new Set<string>();
  private interruptedAt: number | undefined;
  private everReady = false;
  private stopped = false;
  private readonly now: () => number;
  // Redis sends a PUBLISH once per subscription of this connection that matches it (the channel,
  // and each glob), back to back: a message equal to the one before it is such a copy.
  private lastName = '';
  private lastMessage = '';

  constructor(private readonly options: RedisLiveBusOptions) {
    this.now = options.now ?? Date.now;
    this.connection = this.open();
  }

  setListener(listener: LiveBusListener): void {
    this.listener = listener;
  }

  get ready(): boolean {
    return this.connection.status === 'ready';
  }

  async watchChannel(channel: string): Promise<void> {
    this.channels.add(channel);
    await this.connection.subscribe(this.options.keys.live(channel));
  }

  async unwatchChannel(channel: string): Promise<void> {
    this.channels.delete(channel);
    await this.connection.unsubscribe(this.options.keys.live(channel));
  }

  async watchGlob(glob: string): Promise<void> {
    this.globs.add(glob);
    await this.connection.psubscribe(this.options.keys.liveGlob(glob));
  }

  async unwatchGlob(glob: string): Promise<void> {
    this.globs.delete(glob);
    await this.connection.punsubscribe(this.options.keys.liveGlob(glob));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.connection.quit().catch(() => this.connection.disconnect());
  }

  private open(): Redis {
    const connection = this.options.openConnection();
    this.lastName = this.lastMessage = '';
    connection.on('message', (name: string, message: string) => this.onMessage(name, message));
    connection.on('pmessage', (_glob: string, name: string, message: string) => this.onMessage(name, message));
    connection.on('ready', () => void this.onReady(connection));
    connection.on('close', () => {
      this.interruptedAt ??= this.now();
    });
    connection.on('error', (error: unknown) => this.options.onError(error, 'live bus connection'));
    connection.on('end', () => {
      if (this.stopped || connection !== this.connection) return;
      this.connection = this.open(); // this one gave up: try another node
    });
    return connection;
  }

  private async onReady(connection: Redis): Promise<void> {
    if (!this.everReady) {
      this.everReady = true;
      return;
    }
    const since = this.interruptedAt ?? this.now();
    try {
      const names = [...this.channels].map((c) => this.options.keys.live(c));
      for (let i = 0; i < names.length; i += RESUBSCRIBE_BATCH) {
        await connection.subscribe(...names.slice(i, i + RESUBSCRIBE_BATCH));
      }
      const globs = [...this.globs].map((g) => this.options.keys.liveGlob(g));
      if (globs.length > 0) await connection.psubscribe(...globs);
    } catch (error) {
      this.options.onError(error, 'restoring live subscriptions');
      return; // the connection dropped again; its next 'ready' retries
    }
    this.interruptedAt = undefined;
    this.options.onResubscribed?.();
    this.listener?.resync(since);
  }

  private onMessage(name: string, message: string): void {
    if (name === this.lastName && message === this.lastMessage) return;
    this.lastName = name;
    this.lastMessage = message;
    const channel = this.options.keys.channelOfLive(name);
    if (channel === undefined || !this.listener) return;
    if (message.startsWith(PRESENCE)) {
      const change = parsePresenceChange(channel, message);
      if (change) this.listener.presenceChanged(change);
      else this.options.onError(new Error(`malformed presence message on ${name}`), 'live bus message');
      return;
    }
    if (message.startsWith(REDELIVER)) {
      const redelivery = parseRedelivery(channel, message);
      if (redelivery) this.listener.redeliver(redelivery);
      else this.options.onError(new Error(`malformed redelivery on ${name}`), 'live bus message');
      return;
    }
    const notification = parseNotification(channel, message);
    if (notification) this.listener.notify(notification);
    else this.options.onError(new Error(`malformed live message on ${name}`), 'live bus message');
  }
}

const REDELIVER = 'redeliver\n';
const PRESENCE = 'presence\n';

/** Parses "presence\n<join|leave>\n<device>\n<node>\n<reason>" as written by the presence scripts and the pruner. */
export function parsePresenceChange(channel: string, message: string): PresenceChange | undefined {
  const [, action, device, node, reason] = message.split('\n');
  if ((action !== 'join' && action !== 'leave') || !device || !node) return undefined;
  return reason === 'expired' ? { channel, device, node, action, reason } : { channel, device, node, action };
}

/** Parses "redeliver\n<id>\n<event>\n<devices>\n<data>" as written by retry-round.lua. */
export function parseRedelivery(channel: string, message: string): Redelivery | undefined {
  const a = message.indexOf('\n', REDELIVER.length);
  const b = message.indexOf('\n', a + 1);
  const c = message.indexOf('\n', b + 1);
  if (a < 0 || b < 0 || c < 0) return undefined;
  const devices = message.slice(b + 1, c).split(' ').filter((d) => d !== '');
  const event = { channel, id: message.slice(REDELIVER.length, a), event: message.slice(a + 1, b), data: message.slice(c + 1), ack: true };
  return devices.length === 0 ? undefined : { event, devices };
}

/** Parses "<id>\n<prev>\n<event>\n<flags>\n<data>" as written by append.lua. */
export function parseNotification(channel: string, message: string): LiveNotification | undefined {
  const a = message.indexOf('\n');
  const b = message.indexOf('\n', a + 1);
  const c = message.indexOf('\n', b + 1);
  const d = message.indexOf('\n', c + 1);
  if (a < 0 || b < 0 || c < 0 || d < 0) return undefined;
  const base = { channel, id: message.slice(0, a), prev: message.slice(a + 1, b), event: message.slice(b + 1, c), data: message.slice(d + 1) };
  return message.slice(c + 1, d) === 'a' ? { ...base, ack: true } : base;
}
