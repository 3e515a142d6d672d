// One WebSocket per client, multiplexing every subscription. Each distinct channel or pattern
// is one server-side subscription (a "key") shared by the subscribe() calls that named it.
// After a reconnect each key is subscribed again from a cursor covering what it received.
import { isChannel, isStreamId, shouldReconnect } from '@tidings/protocol';
import type { Backoff } from './backoff.js';
import { CursorTracker, mergeCursors } from './cursor-tracker.js';
import type { SubscriptionSink } from './subscription-sink.js';
import { isRecord, parseJson, TidingsClientError } from './tidings-client-error.js';
import { toEvent, toPresence, toReset, type Transport, type TransportContext, type TransportSubscription } from './transport.js';
import type { TimerHandle, WebSocketConstructor, WebSocketLike } from './types.js';

export const DEFAULT_HEARTBEAT_MS = 25_000;
const OPEN = 1;
const ABNORMAL_CLOSURE = 1006;

interface Entry {
  readonly keys: readonly string[];
  readonly sink: SubscriptionSink;
  removed: boolean;
  finalCursor: string | undefined;
}

interface Key {
  readonly name: string;
  readonly entries: Set<Entry>;
  readonly tracker: CursorTracker;
  subscribed: boolean;
  /** ref of the subscribe frame in flight; a `subscribed` with another ref is stale. */
  ref: string | undefined;
  /** Asks for join and leave news: an exact channel one of whose subscribe() calls wants it. */
  presence: boolean;
}

type Frame = Record<string, unknown>;

export class WsTransport implements Transport {
  private readonly keys = new Map<string, Key>();
  private readonly refs = new Map<string, Key>();
  private readonly backoff: Backoff;
  private socket: WebSocketLike | undefined;
  private isOpen = false;
  // Bumped whenever a socket is abandoned, so its late events are ignored.
  private generation = 0;
  private reconnectTimer: TimerHandle | undefined;
  private heartbeatTimer: TimerHandle | undefined;
  private heard = false;
  private pingOutstanding = false;
  private nextRef = 1;

  constructor(
    private readonly ctx: TransportContext,
    private readonly WebSocket: WebSocketConstructor,
    private readonly heartbeatMs = DEFAULT_HEARTBEAT_MS,
  ) {
    this.backoff = ctx.newBackoff();
  }

  subscribe(channels: readonly string[], sink: SubscriptionSink, since: string | undefined): TransportSubscription {
    const entry: Entry = { keys: channels, sink, removed: false, finalCursor: undefined };
    for (const name of channels) {
      const presence = sink.wantsPresence && isChannel(name);
      const existing = this.keys.get(name);
      if (existing) {
        existing.entries.add(entry);
        // Asking again from an earlier point replays into the shared key; the other
        // subscribe() calls drop what they already had by id. Asking for presence news
        // subscribes again from where the key is, which the server takes as a replacement.
        if (since !== undefined) existing.tracker.restart(since);
        const addsPresence = presence && !existing.presence;
        existing.presence ||= presence;
        if (since !== undefined || addsPresence) this.sendSubscribe(existing);
        continue;
      }
      const key: Key = { name, entries: new Set([entry]), tracker: new CursorTracker(since), subscribed: false, ref: undefined, presence };
      this.keys.set(name, key);
      this.sendSubscribe(key);
    }
    this.updateState(entry);
    this.ensureConnected();
    const cursor = () => (entry.removed ? entry.finalCursor : this.cursorOf(entry));
    return {
      get cursor() {
        return cursor();
      },
      close: () => this.remove(entry),
    };
  }

  close(): void {
    for (const entry of this.entries()) {
      entry.finalCursor = this.cursorOf(entry);
      entry.removed = true;
    }
    this.keys.clear();
    this.disconnect();
  }

  private remove(entry: Entry): void {
    if (entry.removed) return;
    entry.finalCursor = this.cursorOf(entry);
    entry.removed = true;
    for (const name of entry.keys) {
      const key = this.keys.get(name);
      if (!key) continue;
      key.entries.delete(entry);
      if (key.entries.size > 0) continue;
      this.keys.delete(name);
      if (key.ref !== undefined) this.refs.delete(key.ref);
      this.send({ type: 'unsubscribe', channel: name });
    }
    if (this.keys.size === 0) this.disconnect();
  }

  private ensureConnected(): void {
    if (this.socket || this.reconnectTimer !== undefined || this.keys.size === 0) return;
    this.connect();
  }

  private connect(): void {
    this.reconnectTimer = undefined;
    const generation = ++this.generation;
    const url = this.ctx.endpoint.ws('/v1/ws', this.ctx.device === undefined ? [] : [['device', this.ctx.device]]);
    let socket: WebSocketLike;
    try {
      socket = new this.WebSocket(url);
    } catch (cause) {
      // The constructor only throws for a URL it can never open.
      this.failAll(TidingsClientError.of('TIDINGS_CLIENT_NETWORK', `Cannot open ${url}.`, { cause }));
      return;
    }
    this.socket = socket;
    const current = () => generation === this.generation;
    socket.addEventListener('open', () => current() && this.onOpen());
    socket.addEventListener('message', (event: { data: unknown }) => current() && this.onMessage(event.data));
    socket.addEventListener('close', (event: { code: number; reason: string }) => current() && this.onClose(event.code, event.reason));
    // 'error' is always followed by 'close', which decides what to do.
    socket.addEventListener('error', () => undefined);
  }

  private disconnect(): void {
    this.generation++;
    if (this.reconnectTimer !== undefined) this.ctx.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.stopHeartbeat();
    const socket = this.socket;
    this.socket = undefined;
    this.isOpen = false;
    this.refs.clear();
    this.backoff.reset();
    socket?.close(1000, 'client closed');
  }

  /** With credentials, the first frame is `auth` (never in the URL, where logs would keep it). */
  private onOpen(): void {
    const token = this.ctx.token;
    if (!token) return this.start();
    const generation = this.generation;
    token().then(
      (value) => {
        if (generation === this.generation && this.socket) this.start({ type: 'auth', token: value });
      },
      () => generation === this.generation && this.abandon(), // the token issuer is away: retry later
    );
  }

  private start(auth?: Frame): void {
    this.isOpen = true;
    if (auth) this.send(auth);
    this.heard = true;
    this.pingOutstanding = false;
    this.scheduleHeartbeat();
    for (const key of this.keys.values()) {
      key.subscribed = false;
      this.sendSubscribe(key);
    }
  }

  private onClose(code: number, reason: string): void {
    this.socket = undefined;
    this.isOpen = false;
    this.stopHeartbeat();
    this.refs.clear();
    for (const key of this.keys.values()) {
      key.subscribed = false;
      key.ref = undefined;
    }
    if (this.keys.size === 0) return;
    if (!shouldReconnect(code)) {
      this.failAll(TidingsClientError.of('TIDINGS_CLIENT_CONNECTION_REJECTED', `Close code ${code}${reason ? `: ${reason}` : ''}.`, { closeCode: code }));
      return;
    }
    for (const entry of this.entries()) entry.sink.state('connecting');
    this.reconnectTimer = this.ctx.timers.setTimeout(() => this.connect(), this.backoff.next());
  }

  private onMessage(data: unknown): void {
    this.heard = true;
    const frame = parseJson(typeof data === 'string' ? data : String(data));
    if (!isRecord(frame)) {
      this.warnAll(TidingsClientError.of('TIDINGS_CLIENT_BAD_RESPONSE', 'A WebSocket frame that is not a JSON object.'));
      return;
    }
    switch (frame.type) {
      case 'event':
        this.onEvent(frame);
        break;
      case 'subscribed':
        this.onSubscribed(frame);
        break;
      case 'reset':
        this.onReset(frame);
        break;
      case 'presence':
        this.onPresence(frame);
        break;
      case 'error':
        this.onError(frame);
        break;
      default:
        // pong, unsubscribed, published: nothing to do beyond having heard from the server.
        break;
    }
  }

  private onEvent(frame: Frame): void {
    const event = toEvent(frame);
    const key = this.keyFor(frame);
    if (!event || !key) return;
    if (isStreamId(event.id) && !event.redelivery) key.tracker.record(event.channel, event.id);
    for (const entry of [...key.entries]) entry.sink.event(event);
  }

  private onSubscribed(frame: Frame): void {
    const ref = typeof frame.ref === 'string' ? frame.ref : undefined;
    const key = ref !== undefined ? this.refs.get(ref) : this.keyFor(frame);
    if (ref !== undefined) this.refs.delete(ref);
    if (!key || (ref !== undefined && key.ref !== ref)) return;
    key.ref = undefined;
    key.subscribed = true;
    if (typeof frame.cursor === 'string') {
      try {
        key.tracker.start(frame.cursor);
      } catch (cause) {
        this.warnKey(key, TidingsClientError.of('TIDINGS_CLIENT_BAD_RESPONSE', 'The server sent a cursor the client cannot read.', { cause }));
      }
    }
    this.backoff.reset();
    for (const entry of key.entries) this.updateState(entry);
  }

  private onReset(frame: Frame): void {
    const notice = toReset(frame);
    const key = this.keyFor(frame);
    if (!notice || !key) return;
    key.tracker.reset(notice.channel, notice.reason);
    for (const entry of [...key.entries]) entry.sink.reset(notice);
  }

  private onPresence(frame: Frame): void {
    const event = toPresence(frame);
    const key = this.keyFor(frame);
    if (!event || !key) return;
    for (const entry of [...key.entries]) entry.sink.presence(event); // the sink ignores it unless asked
  }

  private onError(frame: Frame): void {
    const code = typeof frame.code === 'string' ? frame.code : 'TIDINGS_CLIENT_BAD_RESPONSE';
    const error = new TidingsClientError(code, typeof frame.message === 'string' ? frame.message : code);
    const key = typeof frame.ref === 'string' ? this.refs.get(frame.ref) : undefined;
    if (!key) {
      this.warnAll(error);
      return;
    }
    // A refused subscribe (bad pattern, forbidden) ends every subscribe() call that named it.
    for (const entry of [...key.entries]) {
      this.remove(entry);
      entry.sink.fail(error);
    }
  }

  private keyFor(frame: Frame): Key | undefined {
    const name = typeof frame.subscription === 'string' ? frame.subscription : frame.channel;
    return typeof name === 'string' ? this.keys.get(name) : undefined;
  }

  private sendSubscribe(key: Key): void {
    if (!this.isOpen) return;
    if (key.ref !== undefined) this.refs.delete(key.ref);
    const ref = `s${this.nextRef++}`;
    key.ref = ref;
    this.refs.set(ref, key);
    const since = key.tracker.current();
    this.send({ type: 'subscribe', channel: key.name, ...(since === undefined ? {} : { since }), ...(key.presence ? { presence: true } : {}), ref });
  }

  private send(frame: Frame): void {
    const socket = this.socket;
    if (!socket || !this.isOpen || socket.readyState !== OPEN) return;
    try {
      socket.send(JSON.stringify(frame));
    } catch {
      // A socket that cannot take a frame is as good as gone: start over from the cursors.
      this.abandon();
    }
  }

  /** Drops the current socket without waiting for its close handshake, then reconnects. */
  private abandon(): void {
    const socket = this.socket;
    this.generation++;
    socket?.close(1000, 'client gave up on this connection');
    this.onClose(ABNORMAL_CLOSURE, '');
  }

  private scheduleHeartbeat(): void {
    if (this.heartbeatMs <= 0) return;
    this.heartbeatTimer = this.ctx.timers.setTimeout(() => this.heartbeat(), this.heartbeatMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== undefined) this.ctx.timers.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  // Silence for a whole interval after a ping means a half-open connection (a dead node, a NAT
  // that forgot us): the close event may never come, so do not wait for it.
  private heartbeat(): void {
    this.heartbeatTimer = undefined;
    if (!this.isOpen) return;
    if (!this.heard && this.pingOutstanding) {
      this.abandon();
      return;
    }
    this.heard = false;
    this.pingOutstanding = true;
    this.send({ type: 'ping' });
    if (this.isOpen) this.scheduleHeartbeat();
  }

  private updateState(entry: Entry): void {
    const open = this.isOpen && entry.keys.every((k) => this.keys.get(k)?.subscribed === true);
    entry.sink.state(open ? 'open' : 'connecting');
  }

  private cursorOf(entry: Entry): string | undefined {
    return mergeCursors(entry.keys.map((k) => this.keys.get(k)?.tracker.current()));
  }

  private entries(): Set<Entry> {
    const all = new Set<Entry>();
    for (const key of this.keys.values()) for (const entry of key.entries) all.add(entry);
    return all;
  }

  private warnKey(key: Key, error: Error): void {
    for (const entry of key.entries) entry.sink.warn(error);
  }

  private warnAll(error: Error): void {
    for (const entry of this.entries()) entry.sink.warn(error);
  }

  private failAll(error: Error): void {
    const entries = this.entries();
    this.close();
    for (const entry of entries) entry.sink.fail(error);
  }
}

