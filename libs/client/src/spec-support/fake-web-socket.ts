// A WebSocket double: the test plays the server's part frame by frame.
import type { WebSocketLike } from '../types.js';

type Listener = (event: unknown) => void;

export class FakeWebSocket implements WebSocketLike {
  static readonly instances: FakeWebSocket[] = [];

  static reset(): void {
    FakeWebSocket.instances.length = 0;
  }

  static last(): FakeWebSocket {
    const socket = FakeWebSocket.instances.at(-1);
    if (!socket) throw new Error('no socket was opened');
    return socket;
  }

  readyState = 0;
  readonly sent: Record<string, unknown>[] = [];
  closedByClient: { code?: number; reason?: string } | undefined;
  private readonly listeners = new Map<string, Listener[]>();

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
  }

  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(code?: number, reason?: string): void {
    this.closedByClient = { code, reason };
    this.readyState = 3;
  }

  /** Frames of one type the client sent. */
  sentOf(type: string): Record<string, unknown>[] {
    return this.sent.filter((f) => f.type === type);
  }

  serverOpen(): void {
    this.readyState = 1;
    this.emit('open', {});
  }

  serverSend(frame: Record<string, unknown>): void {
    this.emit('message', { data: JSON.stringify(frame) });
  }

  serverSendRaw(data: string): void {
    this.emit('message', { data });
  }

  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.emit('close', { code, reason });
  }

  /** Answers the last subscribe frame for `channel` with `subscribed`. */
  acceptSubscribe(channel: string, cursor: string): void {
    const frame = this.sentOf('subscribe').filter((f) => f.channel === channel).at(-1);
    if (!frame) throw new Error(`no subscribe for ${channel}`);
    this.serverSend({ type: 'subscribed', channel, cursor, ref: frame.ref });
  }

  private emit(type: string, event: unknown): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
}
