// One subscriber: a raw loopback TCP socket speaking just enough HTTP/1.1 (SSE, long-poll over one
// keep-alive connection) or WebSocket to receive a stream, checking every event's sequence number and, when sampled, its latency. No
// http/EventSource/ws objects: at tens of thousands of connections per process their memory and
// CPU would be the bottleneck. All sockets of a process read into one shared buffer.
import { type Socket, connect } from 'node:net';
import { ackFor, isAckedFrame } from './ack-frame.js';
import { FrameText } from './frame-text.js';
import { LongPollAnswer, pollRequest } from './long-poll-answer.js';
import type { Route } from './generator-protocol.js';
import { MarkerScanner } from './marker-scanner.js';
import type { SourceEndpoint } from './source-endpoints.js';
import { ResponseHeadReader } from './response-head-reader.js';
import { SequenceChecker } from './sequence-checker.js';
import { SseIdReader } from './sse-id-reader.js';
import { encodeClientFrame } from './ws-client-frame.js';
import { OPCODE_BINARY, OPCODE_CLOSE, OPCODE_CONTINUATION, OPCODE_PING, OPCODE_PONG, OPCODE_TEXT, type WsFrameHandler, WsFrameReader } from './ws-frame-reader.js';
import { upgradeRequest, websocketAccept } from './ws-handshake.js';
import { wallMicros } from './wall-clock.js';
import { subscribeSince, wsPosition } from './ws-position.js';

export interface SubscriberSpec {
  readonly host: string;
  readonly port: number;
  /** Where to connect from (see source-endpoints.ts). */
  readonly source: SourceEndpoint;
  /** How to subscribe; its `{n}` placeholders already replaced. */
  readonly route: Route;
  /** Parse send times for latency on this connection. */
  readonly timed: boolean;
  readonly firstSeq: number;
  /**
   * A durable subscriber: it follows its position (the WebSocket `subscribed` cursor and event
   * ids, SSE `id:` lines, the long-poll cursor) and starts from `resumeFrom` when given one.
   */
  readonly durable?: { readonly resumeFrom: string | null; readonly checker: SequenceChecker };
}

export interface SubscriberObserver {
  ready(connection: SubscriberConnection): void;
  /** Ended before it was ready. */
  failed(connection: SubscriberConnection, reason: string): void;
  /** Ended after it was ready, not by us (a server disconnect). */
  dropped(connection: SubscriberConnection, reason: string): void;
  /** A sampled event arrived, `micros` after it was published. */
  latency(micros: number): void;
  /** A read carried at least one event. */
  delivered(): void;
  /** An acknowledgement was sent; the server confirmed one. */
  ackSent(): void;
  ackConfirmed(): void;
}

/** Enough of a frame to answer a keep-alive or read an event's id and channel. */
const FRAME_TEXT_CAP = 512;

// Base64 of 16 bytes, as RFC 6455 requires (the ws library behind Socket.IO refuses any other length).
const WS_KEY = 'dGlkaW5ncy1iZW5jaC0xNg==';
const WS_ACCEPT = websocketAccept(WS_KEY);
/** One buffer for every socket's reads: each read is handled synchronously before the next. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
/** How long each long-poll request waits for events (the edge's default bound is 60). */
const POLL_TIMEOUT_SECONDS = 25;

const CONNECTING = 0;
const HEAD = 1;
const AWAITING_FIRST_FRAME = 2;
const READY = 3;
const ENDED = 4;

export class SubscriberConnection implements WsFrameHandler {
  readonly checker: SequenceChecker;
  private socket: Socket;
  private readonly scanner: MarkerScanner;
  private head: ResponseHeadReader | null = new ResponseHeadReader();
  private frames: WsFrameReader | null = null;
  /** Long-poll only: the answer being read, and the cursor the next request passes back. */
  private readonly poll: LongPollAnswer | null;
  private cursor: string | null;
  /** Durable SSE only: the stream's last id. */
  private readonly sseIds: SseIdReader | null;
  /** Durable WebSocket only: where the frames so far put it. */
  private wsPosition: string | null;
  /** Only for routes that answer frames (keep-alives, acks). */
  private readonly frameText: FrameText | null;
  private framesBeforeReady: number;
  private state = CONNECTING;
  private closingByUs = false;
  private endReason = '';

  constructor(
    private readonly spec: SubscriberSpec,
    private readonly observer: SubscriberObserver,
  ) {
    this.checker = spec.durable?.checker ?? new SequenceChecker(spec.firstSeq);
    this.scanner = new MarkerScanner(
      spec.timed,
      spec.timed
        ? (seq, sent) => {
            this.checker.accept(seq);
            this.observer.latency(wallMicros() - sent);
          }
        : (seq) => this.checker.accept(seq),
    );
    const route = spec.route;
    const durable = spec.durable !== undefined;
    const resumeFrom = spec.durable?.resumeFrom ?? null;
    this.frameText = route.ackEvents || (route.wsReplies?.length ?? 0) > 0 || durable ? new FrameText(FRAME_TEXT_CAP) : null;
    this.poll = route.transport === 'poll' ? new LongPollAnswer() : null;
    this.cursor = resumeFrom;
    this.wsPosition = resumeFrom;
    this.sseIds = durable && route.transport === 'sse' ? new SseIdReader(resumeFrom) : null;
    this.framesBeforeReady = route.wsSubscribe === null && route.wsSubscribeBinary === undefined ? (route.wsReadyFrames ?? 0) : (route.wsReadyFrames ?? 1);
    this.socket = this.open(spec.source.port);
  }

  /**
   * Connects from the planned source; if that port is taken (another program listens on it), once
   * more from a port the kernel picks.
   */
  private open(localPort: number | undefined): Socket {
    const socket = connect({
      host: this.spec.host,
      port: this.spec.port,
      localAddress: this.spec.source.address,
      ...(localPort === undefined ? {} : { localPort }),
      // Returning true keeps the socket reading (false would pause it).
      onread: { buffer: READ_BUFFER, callback: (n: number, buffer: Uint8Array) => this.onBytes(buffer, n) },
    });
    let portTaken = false;
    socket.setNoDelay(true);
    socket.once('connect', () => this.onConnect());
    socket.on('error', (error: NodeJS.ErrnoException) => {
      portTaken = error.code === 'EADDRINUSE' && this.state === CONNECTING && localPort !== undefined;
      if (!portTaken) this.endReason ||= error.code ?? error.message;
    });
    socket.once('close', () => {
      if (portTaken && !this.closingByUs) this.socket = this.open(undefined);
      else this.onClose();
    });
    return socket;
  }

  /** Ready and still open. */
  get isReady(): boolean {
    return this.state === READY;
  }

  /** Was ready at some point (it may have been dropped since). */
  everReady = false;

  /** Where a durable subscriber would resume from now (null: from the start of its subscription). */
  get position(): string | null {
    if (this.poll !== null) return this.cursor;
    return this.sseIds !== null ? this.sseIds.last : this.wsPosition;
  }

  /** Ends the connection with a reset: no TIME_WAIT left behind, so the next run finds free ports. */
  close(): void {
    if (this.state === ENDED) return;
    this.closingByUs = true;
    if (!this.socket.destroyed) this.socket.resetAndDestroy();
  }

  private onConnect(): void {
    this.state = HEAD;
    const host = `${this.spec.host}:${this.spec.port}`;
    const { transport, path } = this.spec.route;
    this.socket.write(
      transport === 'ws'
        ? upgradeRequest(host, path, WS_KEY, this.spec.route.wsProtocol)
        : transport === 'poll'
          ? pollRequest(host, path, this.cursor, POLL_TIMEOUT_SECONDS)
          : `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nAccept: text/event-stream\r\n${this.sseIds?.last ? `Last-Event-ID: ${this.sseIds.last}\r\n` : ''}\r\n`,
    );
  }

  private onBytes(bytes: Uint8Array, length: number): true {
    let start = 0;
    if (this.head !== null) {
      start = this.readHead(bytes, length);
      if (start < 0) return true;
    }
    if (this.state === ENDED || start >= length) return true;
    const before = this.checker.received;
    if (this.poll !== null) this.pollBody(bytes, start, length);
    else if (this.frames !== null) this.frames.feed(bytes, start, length);
    else {
      this.scanner.scan(bytes, start, length);
      this.sseIds?.feed(bytes, start, length);
    }
    if (this.checker.received !== before) this.observer.delivered();
    return true;
  }

  /** Where the body starts in this read once the head is in and acceptable; -1 otherwise. */
  private readHead(bytes: Uint8Array, length: number): number {
    let bodyAt: number;
    try {
      bodyAt = this.head!.feed(bytes, 0, length);
    } catch (error) {
      this.abort(error instanceof Error ? error.message : String(error));
      return -1;
    }
    if (bodyAt < 0) return -1;
    const head = this.head!;
    this.head = null;
    if (this.poll !== null) return this.pollHead(head, bodyAt);
    if (this.spec.route.transport === 'sse') {
      if (head.status !== 200) return this.abort(`SSE answered ${head.status}`);
      this.becomeReady();
      return bodyAt;
    }
    if (head.status !== 101) return this.abort(`WebSocket upgrade answered ${head.status}`);
    if (head.header('sec-websocket-accept') !== WS_ACCEPT) return this.abort('wrong Sec-WebSocket-Accept');
    this.frames = new WsFrameReader(this);
    const subscribe = this.spec.route.wsSubscribe;
    if (subscribe !== null) this.sendText(this.wsPosition === null ? subscribe : subscribeSince(subscribe, this.wsPosition));
    const binary = this.spec.route.wsSubscribeBinary;
    if (binary !== undefined) this.socket.write(encodeClientFrame(OPCODE_BINARY, Buffer.from(binary, 'base64')));
    if (this.framesBeforeReady === 0) this.becomeReady();
    else this.state = AWAITING_FIRST_FRAME;
    return bodyAt;
  }

  /** A long-poll answer's head: 200 with a Content-Length, else the connection ends. */
  private pollHead(head: ResponseHeadReader, bodyAt: number): number {
    if (head.status !== 200) return this.abort(`long-poll answered ${head.status}`);
    const length = Number(head.header('content-length'));
    if (!Number.isInteger(length) || length <= 0) return this.abort('long-poll answer without a Content-Length');
    this.poll!.begin(length);
    this.scanner.reset();
    return bodyAt;
  }

  /** Body bytes of a long-poll answer; once complete, the next request goes out on the same connection. */
  private pollBody(bytes: Uint8Array, start: number, end: number): void {
    const poll = this.poll!;
    const stop = poll.take(bytes, start, end);
    this.scanner.scan(bytes, start, stop);
    if (!poll.complete) return;
    this.cursor = poll.cursor();
    if (this.cursor === null) {
      this.abort('long-poll answer without a cursor');
      return;
    }
    this.head = new ResponseHeadReader();
    this.socket.write(pollRequest(`${this.spec.host}:${this.spec.port}`, this.spec.route.path, this.cursor, POLL_TIMEOUT_SECONDS));
    if (this.state === HEAD) this.becomeReady(); // the first answer, at once: the cursor is where this subscriber starts
  }

  dataStart(opcode: number): void {
    if (opcode !== OPCODE_CONTINUATION) {
      this.scanner.reset();
      this.frameText?.reset();
    }
    if (this.state === AWAITING_FIRST_FRAME && --this.framesBeforeReady === 0) this.becomeReady();
  }

  data(bytes: Uint8Array, start: number, end: number): void {
    this.scanner.scan(bytes, start, end);
    this.frameText?.append(bytes, start, end);
  }

  dataEnd(): void {
    if (this.frameText === null) return;
    const text = this.frameText.text();
    const route = this.spec.route;
    if (this.spec.durable !== undefined) this.wsPosition = wsPosition(text) ?? this.wsPosition;
    for (const [prefix, reply] of route.wsReplies ?? []) {
      if (text.startsWith(prefix)) return this.sendText(reply);
    }
    if (!route.ackEvents) return;
    if (isAckedFrame(text)) return this.observer.ackConfirmed();
    const ack = ackFor(text);
    if (ack === null) return;
    this.sendText(ack);
    this.observer.ackSent();
  }

  private sendText(text: string): void {
    if (!this.socket.destroyed) this.socket.write(encodeClientFrame(OPCODE_TEXT, Buffer.from(text)));
  }

  control(opcode: number, payload: Uint8Array): void {
    if (opcode === OPCODE_PING) {
      this.socket.write(encodeClientFrame(OPCODE_PONG, payload));
    } else if (opcode === OPCODE_CLOSE) {
      const code = payload.length >= 2 ? (payload[0]! << 8) | payload[1]! : 1005;
      const reason = Buffer.from(payload.subarray(2)).toString('utf8');
      this.endReason = `server closed the WebSocket: ${code}${reason ? ` ${reason}` : ''}`;
      this.socket.end(encodeClientFrame(OPCODE_CLOSE, payload.subarray(0, 2)));
    }
  }

  violation(reason: string): void {
    this.abort(`WebSocket protocol: ${reason}`);
  }

  private becomeReady(): void {
    this.state = READY;
    this.everReady = true;
    this.observer.ready(this);
  }

  private abort(reason: string): -1 {
    this.endReason ||= reason;
    this.socket.destroy();
    return -1;
  }

  private onClose(): void {
    const wasReady = this.state === READY;
    this.state = ENDED;
    if (this.closingByUs) return;
    const reason = this.endReason || 'closed by the server';
    if (wasReady) this.observer.dropped(this, reason);
    else this.observer.failed(this, reason);
  }
}
