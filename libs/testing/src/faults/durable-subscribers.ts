import { type ClientRequest, get } from 'node:http';
import WebSocket from 'ws';
import { SseParser } from '../sse-parser.js';
import type { Receiver } from './delivery-ledger.js';

// Durable subscribers, one per transport: a device id, a cursor kept as a client should keep it,
// and a reconnect with full jitter whenever the connection ends. They record every event they get
// (redeliveries of ack events aside: those repeat on purpose) and every `reset`, and hide
// nothing: duplicates and gaps are the ledger's to count.

export type Transport = 'sse' | 'ws' | 'poll';

export interface DurableSubscriber {
  readonly name: string;
  /** Resolves once the device has joined its channels (the first connection is open). */
  readonly ready: Promise<void>;
  /** Times its connection ended without being asked to (each is followed by a reconnect). */
  readonly reconnects: number;
  stop(): void;
}

export interface SubscriberSpec {
  readonly transport: Transport;
  /** `http://host:port` of the balancer (or an edge). */
  readonly url: string;
  readonly device: string;
  readonly channels: readonly string[];
  readonly receiver: Receiver;
  /**
   * A connection that brings nothing (no event, heartbeat or pong) for this long is given up and
   * opened again: how a client finds a half-open connection. Off when absent; SSE needs the edges'
   * heartbeat well inside it.
   */
  readonly silenceMs?: number;
  /** Called for every `ack: true` event that arrives, redeliveries included: where a device answers. */
  readonly onAckEvent?: (channel: string, id: string, redelivery: boolean) => void;
}

const RECONNECT_MAX_MS = 500;
const POLL_TIMEOUT_SECONDS = 2;

interface Envelope {
  channel?: string;
  id?: string;
  ack?: boolean;
  redelivery?: boolean;
}

export function startDurableSubscriber(spec: SubscriberSpec): DurableSubscriber {
  if (spec.transport === 'sse') return new SseSubscriber(spec);
  if (spec.transport === 'ws') return new WsSubscriber(spec);
  return new PollSubscriber(spec);
}

abstract class Reconnecting implements DurableSubscriber {
  reconnects = 0;
  readonly ready: Promise<void>;
  protected stopped = false;
  private markReady!: () => void;

  constructor(protected readonly spec: SubscriberSpec) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.connectNow();
  }

  get name(): string {
    return `${this.spec.transport}:${this.spec.device}`;
  }

  stop(): void {
    this.stopped = true;
    this.close();
  }

  protected joined(): void {
    this.markReady();
  }

  /** The connection ended: come back after a random delay (full jitter), unless stopped. */
  protected ended(): void {
    if (this.stopped) return;
    // Counted here, not when the reconnect happens: a run may end before the jittered delay does.
    this.reconnects += 1;
    setTimeout(() => this.connectNow(), Math.random() * RECONNECT_MAX_MS);
  }

  /** A timer that `giveUp`s once nothing was heard for spec.silenceMs (a no-op without it). */
  protected watchdog(giveUp: () => void): { heard(): void; stop(): void } {
    const silenceMs = this.spec.silenceMs;
    if (silenceMs === undefined) return { heard: () => undefined, stop: () => undefined };
    const timer = setTimeout(giveUp, silenceMs);
    return {
      heard: () => timer.refresh(),
      stop: () => clearTimeout(timer),
    };
  }

  protected take(envelope: Envelope): void {
    if (envelope.ack && envelope.channel !== undefined && envelope.id !== undefined) this.spec.onAckEvent?.(envelope.channel, envelope.id, envelope.redelivery === true);
    if (envelope.redelivery || envelope.channel === undefined || envelope.id === undefined) return;
    this.spec.receiver.received(envelope.channel, envelope.id);
  }

  protected abstract connect(): void;
  protected abstract close(): void;

  private connectNow(): void {
    if (!this.stopped) this.connect();
  }
}

class SseSubscriber extends Reconnecting {
  private lastEventId: string | undefined;
  private request: ClientRequest | undefined;

  protected connect(): void {
    const query = this.spec.channels.map((c) => `channel=${encodeURIComponent(c)}`).join('&');
    // A destroyed request reports both an 'error' and the response's 'close': one reconnect, not two.
    let over = false;
    const ended = () => {
      if (over) return;
      over = true;
      this.ended();
    };
    const headers: Record<string, string> = this.lastEventId === undefined ? {} : { 'last-event-id': this.lastEventId };
    // From the request on: an answer that never starts is as silent as a stream that stops.
    const watchdog = this.watchdog(() => request.destroy());
    const request = get(`${this.spec.url}/v1/sse?${query}&device=${encodeURIComponent(this.spec.device)}`, { headers }, (res) => {
      if (res.statusCode !== 200) {
        watchdog.stop();
        res.resume();
        res.once('end', ended);
        return;
      }
      this.joined();
      const parser = new SseParser({
        event: (event) => {
          if (event.event === 'reset') this.spec.receiver.reset(String((JSON.parse(event.data) as Envelope).channel));
          else if (event.data.startsWith('{')) this.take(JSON.parse(event.data) as Envelope);
        },
      });
      res.setEncoding('utf8');
      watchdog.heard();
      res.on('data', (chunk: string) => {
        watchdog.heard();
        parser.feed(chunk);
        this.lastEventId = parser.lastEventId ?? this.lastEventId;
      });
      res.once('close', () => {
        watchdog.stop();
        ended();
      });
    });
    request.once('error', () => {
      watchdog.stop();
      ended();
    });
    this.request = request;
  }

  protected close(): void {
    this.request?.destroy();
  }
}

class WsSubscriber extends Reconnecting {
  /** The last id per channel: what each subscribe resumes after. */
  private readonly positions = new Map<string, string>();
  private socket: WebSocket | undefined;

  protected connect(): void {
    const socket = new WebSocket(`${this.spec.url.replace(/^http/, 'ws')}/v1/ws?device=${encodeURIComponent(this.spec.device)}`);
    this.socket = socket;
    let subscribed = 0;
    const watchdog = this.watchdog(() => socket.terminate());
    // Pings ask the edge for a pong: a quiet channel then still proves the connection alive.
    const pinger = this.spec.silenceMs === undefined ? undefined : setInterval(() => socket.readyState === WebSocket.OPEN && socket.ping(), this.spec.silenceMs / 3);
    socket.on('pong', () => watchdog.heard());
    socket.on('open', () => {
      for (const channel of this.spec.channels) {
        const since = this.positions.get(channel);
        socket.send(JSON.stringify({ type: 'subscribe', channel, ...(since === undefined ? {} : { since }) }));
      }
    });
    socket.on('message', (raw: Buffer) => {
      watchdog.heard();
      const frame = JSON.parse(raw.toString('utf8')) as Envelope & { type: string };
      if (frame.type === 'subscribed' && ++subscribed === this.spec.channels.length) this.joined();
      else if (frame.type === 'reset') this.spec.receiver.reset(String(frame.channel));
      else if (frame.type === 'event') {
        this.take(frame);
        if (!frame.redelivery && frame.channel !== undefined && frame.id !== undefined) this.positions.set(frame.channel, frame.id);
      }
    });
    socket.on('error', () => socket.terminate());
    socket.once('close', () => {
      watchdog.stop();
      clearInterval(pinger);
      this.ended();
    });
  }

  protected close(): void {
    this.socket?.terminate();
  }
}

class PollSubscriber extends Reconnecting {
  private cursor: string | undefined;
  private abort = new AbortController();

  protected connect(): void {
    void this.pollOnce().then(
      () => (this.stopped ? undefined : this.connect()),
      () => this.ended(),
    );
  }

  protected close(): void {
    this.abort.abort();
  }

  private async pollOnce(): Promise<void> {
    const query = this.spec.channels.map((c) => `channel=${encodeURIComponent(c)}`).join('&');
    const since = this.cursor === undefined ? '' : `&since=${encodeURIComponent(this.cursor)}`;
    this.abort = new AbortController();
    const silence = this.spec.silenceMs === undefined ? [] : [AbortSignal.timeout(POLL_TIMEOUT_SECONDS * 1000 + this.spec.silenceMs)];
    const signal = AbortSignal.any([this.abort.signal, ...silence]);
    const res = await fetch(`${this.spec.url}/v1/poll?${query}&device=${encodeURIComponent(this.spec.device)}&timeout=${POLL_TIMEOUT_SECONDS}${since}`, { signal });
    if (res.status !== 200) throw new Error(`poll answered ${res.status}`);
    const body = (await res.json()) as { events: Envelope[]; resets?: Envelope[]; cursor: string };
    for (const reset of body.resets ?? []) this.spec.receiver.reset(String(reset.channel));
    for (const event of body.events) this.take(event);
    this.cursor = body.cursor;
    this.joined();
  }
}
