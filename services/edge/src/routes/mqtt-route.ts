import { CLOSE, EVENT_NAME_DEFAULT, TidingsError } from '@tidings/protocol';
import type { TemplatedApp } from '@tidings/transport-uws';
import { tokenOf } from '../auth/auth.js';
import type { EdgeContext } from '../context.js';
import { MqttConnection, type MqttWill } from '../mqtt/mqtt-connection.js';
import type { Packet } from '../mqtt/mqtt-codec.js';
import { handlePacket } from '../mqtt/mqtt-packets.js';
import { clientAddress } from './client-address.js';
import { originAllowed } from './cors.js';
import { toTidingsError } from './http-errors.js';
import { publishEvent } from './publish-routes.js';
import { closeSession, openSession, socketSettings } from './socket-route.js';
import { refuseUpgrade } from './ws-route.js';

interface MqttData {
  readonly conn: MqttConnection;
}

/** The WebSocket subprotocols MQTT clients offer (MQTT.js and Paho: `mqtt`; older clients `mqttv3.1`). */
const SUBPROTOCOLS = ['mqtt', 'mqttv3.1'];
/** Packets one connection may have waiting to be handled (their bytes are also capped, at limits.slowConsumerBytes). */
const MAX_QUEUED_PACKETS = 1024;

/** `/mqtt`: MQTT 3.1.1 and 5.0 over WebSocket, beside `/v1/ws` on the edge's port (ADR 14). */
export function registerMqttRoute(ctx: EdgeContext, app: TemplatedApp): void {
  const { config, metrics } = ctx;
  const maxPacketBytes = config.limits.maxBodyBytes + 1024; // a payload as large as an HTTP body, plus its topic and header
  app.ws<MqttData>('/mqtt', {
    ...socketSettings(ctx, maxPacketBytes),
    upgrade: (res, req, context) => {
      if (ctx.isDraining()) return refuseUpgrade(res, new TidingsError('TIDINGS_UNAVAILABLE', 'node is shutting down'));
      const origin = req.getHeader('origin');
      const host = req.getHeader('host');
      const key = req.getHeader('sec-websocket-key');
      const extensions = req.getHeader('sec-websocket-extensions');
      const offered = req.getHeader('sec-websocket-protocol').split(',').map((p) => p.trim());
      const address = clientAddress(Buffer.from(res.getRemoteAddressAsText()).toString(), req.getHeader('x-forwarded-for'), config.limits.trustedProxies);
      try {
        if (!originAllowed(ctx, origin, host)) throw new TidingsError('TIDINGS_ORIGIN_FORBIDDEN', `origin ${origin} may not open WebSockets here`);
        const protocol = SUBPROTOCOLS.find((p) => offered.includes(p));
        if (protocol === undefined) throw new TidingsError('TIDINGS_QUERY_INVALID', 'offer the WebSocket subprotocol mqtt (or mqttv3.1)');
        const token = tokenOf(req.getHeader('authorization'), new URLSearchParams(req.getQuery() ?? ''));
        const slot = ctx.connectionLimits.acquire(undefined, address);
        const data: MqttData = { conn: new MqttConnection(ctx, token, [slot], maxPacketBytes) };
        res.upgrade(data, key, protocol, extensions, context);
      } catch (error) {
        refuseUpgrade(res, toTidingsError(ctx, error));
      }
    },
    open: (ws) => {
      const { conn } = ws.getUserData();
      openSession(ctx, conn, ws, () => conn.grant !== undefined, 'no CONNECT in time');
    },
    message: (ws, message, isBinary) => {
      const { conn } = ws.getUserData();
      if (conn.closed) return;
      if (!isBinary) return conn.end(CLOSE.UNSUPPORTED_DATA, 'MQTT travels in binary frames');
      let packets: Packet[];
      try {
        packets = conn.reader.read(Buffer.from(message.slice(0))); // a copy: uWS reuses `message`, the reader may keep it
      } catch (error) {
        metrics.badRequestsTotal.inc({ code: 'TIDINGS_FRAME_INVALID' });
        conn.refuse('malformed', error instanceof Error ? error.message : 'not an MQTT packet');
        return;
      }
      for (const packet of packets) receive(ctx, conn, packet);
    },
    drain: (ws) => ws.getUserData().conn.drained(),
    close: (ws) => {
      const { conn } = ws.getUserData();
      closeSession(ctx, conn);
      if (conn.will && conn.grant) publishWill(ctx, conn.will);
    },
  });
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
  conn.done = conn.done
    .then(() => (conn.closed ? undefined : handlePacket(ctx, conn, packet)))
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
