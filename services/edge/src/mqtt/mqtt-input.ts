// What reaches an MQTT connection, whatever carries it (a WebSocket on /mqtt, a TCP socket on
// --mqtt-port): bytes become packets handled in order, and an unclean end publishes the will.
import { CLOSE, EVENT_NAME_DEFAULT } from '@tidings/protocol';
import type { EdgeContext } from '../context.js';
import { publishEvent } from '../routes/publish-routes.js';
import { closeSession } from '../routes/socket-route.js';
import { type Packet, readPackets } from './mqtt-codec.js';
import { keepAliveClock, type MqttConnection, type MqttWill } from './mqtt-connection.js';
import { handlePacket } from './mqtt-packets.js';

/** The largest packet a connection may send: a payload as large as an HTTP body, plus its topic and header. */
export function maxPacketBytes(ctx: EdgeContext): number {
  return ctx.config.limits.maxBodyBytes + 1024;
}

/** Packets one connection may have waiting to be handled (their bytes are also capped, at limits.slowConsumerBytes). */
const MAX_QUEUED_PACKETS = 1024;

/** Bytes from the client: whole packets are handled, a partial one waits; bytes that are not MQTT end the connection. */
export function receiveBytes(ctx: EdgeContext, conn: MqttConnection, bytes: Buffer): void {
  if (conn.closed) return;
  conn.lastHeardAt = keepAliveClock();
  let packets: readonly Packet[];
  try {
    packets = readPackets(conn, bytes, maxPacketBytes(ctx));
  } catch (error) {
    ctx.metrics.badRequestsTotal.inc({ code: 'TIDINGS_FRAME_INVALID' });
    conn.refuse('malformed', error instanceof Error ? error.message : 'not an MQTT packet');
    return;
  }
  for (const packet of packets) receive(ctx, conn, packet);
}

/** The connection closed (either side): the session lets go, and a connection that ended without DISCONNECT publishes its will. */
export function connectionClosed(ctx: EdgeContext, conn: MqttConnection): void {
  closeSession(ctx, conn);
  if (conn.will && conn.grant) publishWill(ctx, conn.will);
}

/** Liveness at once; everything else one packet at a time, in order, with a bounded backlog. */
function receive(ctx: EdgeContext, conn: MqttConnection, packet: Packet): void {
  if (conn.closed) return;
  if (packet.cmd === 'pingreq' && conn.grant) return conn.send({ cmd: 'pingresp' });
  const bytes = packet.length ?? 0;
  if (conn.queued >= MAX_QUEUED_PACKETS || conn.queuedBytes + bytes > ctx.config.limits.slowConsumerBytes) {
    ctx.metrics.badRequestsTotal.inc({ code: 'TIDINGS_FRAME_INVALID' });
    return conn.end(CLOSE.PROTOCOL_ERRORS, 'too many packets waiting; send fewer at once');
  }
  conn.queued += 1;
  conn.queuedBytes += bytes;
  conn.done = accounted(ctx, conn, bytes, conn.done.then(() => (conn.closed ? undefined : handlePacket(ctx, conn, packet))));
}

/**
 * A queued packet's handling, counted out of the backlog once it ends. Its own function: closures
 * made in one call share what they capture, so callbacks made beside the handler's would keep
 * the packet alive until its handling ends.
 */
function accounted(ctx: EdgeContext, conn: MqttConnection, bytes: number, handling: Promise<void>): Promise<void> {
  return handling
    .catch((error: unknown) => {
      ctx.logger.warn({ err: error }, 'mqtt packet handling failed');
      conn.refuse('unavailable', 'the packet could not be handled; reconnect shortly');
    })
    .finally(() => {
      conn.queued -= 1;
      conn.queuedBytes -= bytes;
      if (conn.queued === 0) conn.settled();
    });
}

/** A connection that ended without DISCONNECT: its will is published like any client publish. */
function publishWill(ctx: EdgeContext, { channel, data }: MqttWill): void {
  publishEvent(ctx, channel, { event: EVENT_NAME_DEFAULT, data, ack: false }, 'mqtt').catch((error: unknown) =>
    ctx.logger.warn({ err: error, channel }, 'could not publish an MQTT will'),
  );
}
