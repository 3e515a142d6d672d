import type { Grant } from '@tidings/auth';
import type { LogGap, LoggedEvent } from '@tidings/core';
import { CLOSE, type JsonValue } from '@tidings/protocol';
import { SocketSession, type SocketSessionDeps } from '../sessions/socket-session.js';
import { encodePacket, type HalfReadParser, type MqttVersion, type Packet, type PacketStream } from './mqtt-codec.js';
import { publishPacket } from './mqtt-publish-packet.js';
import { reasonCode, type Refusal } from './mqtt-reason-codes.js';
import type { MqttSink } from './mqtt-sink.js';

/** Ack events sent at QoS 1 and not yet PUBACKed, per connection; past it the oldest is forgotten (the worker retries it). */
const MAX_UNANSWERED_ACK_EVENTS = 1024;
const MAX_PACKET_ID = 0xffff;
const SETTLED: Promise<void> = Promise.resolve();
/** Where lost-event notices go: reserved, outside the channel alphabet, so no event can be published there. */
export const RESET_TOPIC = '$tidings/reset';
/** 5.0 DISCONNECT reasons: server shutting down; nothing heard within 1.5 × the keep-alive. */
const SERVER_SHUTTING_DOWN = 0x8b;
const KEEP_ALIVE_TIMEOUT = 0x8d;

/**
 * The clock keep-alives are checked on: tenths of a second since the process started. A small
 * integer is kept inside the connection object; a millisecond timestamp would be a heap number of
 * 16 bytes of its own on every connection.
 */
export function keepAliveClock(): number {
  return Math.floor(performance.now() / 100);
}

/** A will: published when the connection ends without DISCONNECT. */
export interface MqttWill {
  readonly channel: string;
  readonly data: JsonValue;
}

/**
 * One MQTT-over-WebSocket connection: its session (version, credentials, device, will, packets
 * waiting to be handled, QoS 1 ack events waiting for their PUBACK) and, from SocketSession, the
 * same writer, slow-consumer cap and subscriptions as `/v1/ws`.
 */
export class MqttConnection extends SocketSession<MqttSink> implements PacketStream {
  get transport(): 'mqtt' {
    return 'mqtt';
  }
  version: MqttVersion = 4;
  /** Set by an accepted CONNECT; nothing else is handled before it. */
  grant: Grant | undefined;
  /** The durable device this session speaks for (a persistent session with a client id). */
  device: string | undefined;
  /** Ends the renewal of the session's kept filters on this node. */
  private releaseSession: (() => void) | undefined;
  will: MqttWill | undefined;
  /** The protocol level packets are read at: its CONNECT's, once read (before it is handled). */
  readLevel = 4;
  halfRead: HalfReadParser | undefined;
  /** Packets received and not yet handled (count and bytes), and the end of their chain. */
  queued = 0;
  queuedBytes = 0;
  done: Promise<void> = SETTLED;
  /** 1.5 × the keep-alive the CONNECT asked for, in tenths of a second; 0 for none (MQTT 3.1.2.10). */
  silenceAllowed = 0;
  /** When the client last sent anything, PINGREQ included, on the keep-alive clock. */
  lastHeardAt = 0;
  private lastPacketId = 0;
  /** packet id → the ack event it carried, until the PUBACK (its receipt) comes. */
  private unanswered: Map<number, LoggedEvent> | undefined; // made at the first ack event: most connections never see one

  constructor(
    deps: SocketSessionDeps,
    /**
     * Credentials from the WebSocket handshake, used when CONNECT carries no password; let go once
     * CONNECT is read (a token is hundreds of bytes, and the grant holds what it said).
     */
    public handshakeToken: string | undefined,
    slots: readonly (() => void)[],
  ) {
    super(deps, slots);
  }

  /** A persistent session: the connection speaks for `device`, whose kept filters stay renewed until it closes. */
  keepSession(device: string, release: () => void): void {
    this.device = device;
    this.releaseSession = release;
  }

  /** Every packet received has been handled: an idle connection keeps no promise chain. */
  settled(): void {
    this.done = SETTLED;
  }

  get expiresAt(): number | undefined {
    return this.grant?.expiresAt;
  }

  send(packet: Packet): void {
    this.sendRaw(encodePacket(packet, this.version));
  }

  /** Writes an event as a PUBLISH at `qos`; an ack event at QoS 1 is remembered until its PUBACK. */
  publish(event: LoggedEvent, qos: 0 | 1, dup: boolean, retain = false): void {
    if (this.closed) return;
    if (qos === 0) return this.sendRaw(publishPacket(event, this.version, { qos: 0, retain }));
    const id = this.nextPacketId();
    if (event.ack) {
      const unanswered = (this.unanswered ??= new Map());
      if (unanswered.size >= MAX_UNANSWERED_ACK_EVENTS) unanswered.delete(unanswered.keys().next().value!);
      unanswered.set(id, event);
    }
    this.sendRaw(publishPacket(event, this.version, { qos: 1, packetId: id, dup, retain }));
  }

  /**
   * Events the subscription of `filter` can no longer get, as a PUBLISH on `$tidings/reset` (ADR
   * 16): a `$` topic no client filter matches by wildcard, so it reaches only whom it concerns.
   * The payload is the SSE/WebSocket `reset`'s, as JSON.
   */
  notifyReset(gap: LogGap, filter: string, qos: 0 | 1): void {
    if (this.closed) return;
    const payload = JSON.stringify({ channel: gap.channel, lostFrom: gap.lostFrom, lostTo: gap.lostTo, reason: gap.reason, subscription: filter });
    this.send({
      cmd: 'publish',
      topic: RESET_TOPIC,
      payload,
      qos,
      dup: false,
      retain: false,
      ...(qos === 1 ? { messageId: this.nextPacketId() } : {}),
      ...(this.version === 5 ? { properties: { userProperties: { reason: gap.reason } } } : {}),
    });
  }

  /** The ack event a PUBACK answers, if it answers one (other events need no answer). */
  answered(packetId: number): LoggedEvent | undefined {
    const event = this.unanswered?.get(packetId);
    this.unanswered?.delete(packetId);
    return event;
  }

  /** Refuses with a 5.0 DISCONNECT carrying the reason (3.1.1 has none), then closes. */
  refuse(refusal: Refusal, why: string): void {
    if (this.closed) return;
    if (this.version === 5 && this.grant) this.send({ cmd: 'disconnect', reasonCode: reasonCode(refusal) });
    this.end(CLOSE.PROTOCOL_ERRORS, why);
  }

  override closedBySocket(): void {
    super.closedBySocket();
    this.unanswered = undefined;
    this.releaseSession?.();
  }

  /**
   * On the node's tick: a client silent for longer than 1.5 × its keep-alive is gone, as the MQTT
   * spec says, however the carrier's own idle limit sees it (uWS's pings keep a WebSocket open
   * under a client that sends no PINGREQ). Checked once a tick, so up to one tick late; the close
   * is unclean, so the will is published.
   */
  override heartbeat(): void {
    // Both readings are rounded down, so a difference past the allowance means more time than that passed.
    if (this.silenceAllowed === 0 || this.closed || keepAliveClock() - this.lastHeardAt <= this.silenceAllowed) return;
    if (this.version === 5) this.send({ cmd: 'disconnect', reasonCode: KEEP_ALIVE_TIMEOUT });
    this.end(CLOSE.PROTOCOL_ERRORS, `nothing heard for 1.5 × its keep-alive of ${this.silenceAllowed / 15} s`);
  }

  expire(): void {
    this.end(CLOSE.TOKEN_EXPIRED, 'token expired: connect again with a fresh one');
  }

  closeForShutdown(): void {
    if (this.version === 5 && this.grant) this.send({ cmd: 'disconnect', reasonCode: SERVER_SHUTTING_DOWN });
    this.end(CLOSE.GOING_AWAY, 'server shutting down');
  }

  private nextPacketId(): number {
    this.lastPacketId = this.lastPacketId === MAX_PACKET_ID ? 1 : this.lastPacketId + 1;
    return this.lastPacketId;
  }
}
