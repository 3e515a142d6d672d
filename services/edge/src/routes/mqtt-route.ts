import { CLOSE, TidingsError } from '@tidings/protocol';
import type { TemplatedApp } from '@tidings/transport-uws';
import { tokenOf } from '../auth/auth.js';
import type { EdgeContext } from '../context.js';
import { MqttConnection } from '../mqtt/mqtt-connection.js';
import { connectionClosed, maxPacketBytes, receiveBytes } from '../mqtt/mqtt-input.js';
import { clientAddress } from './client-address.js';
import { originAllowed } from './cors.js';
import { toTidingsError } from './http-errors.js';
import { openSession, socketSettings, wsOutputOf } from './socket-route.js';
import { refuseUpgrade } from './ws-route.js';

interface MqttData {
  readonly conn: MqttConnection;
}

/** The WebSocket subprotocols MQTT clients offer (MQTT.js and Paho: `mqtt`; older clients `mqttv3.1`). */
const SUBPROTOCOLS = ['mqtt', 'mqttv3.1'];

/** `/mqtt`: MQTT 3.1.1 and 5.0 over WebSocket, beside `/v1/ws` on the edge's port (ADR 14). */
export function registerMqttRoute(ctx: EdgeContext, app: TemplatedApp): void {
  const { config } = ctx;
  const packetBytes = maxPacketBytes(ctx);
  app.ws<MqttData>('/mqtt', {
    ...socketSettings(ctx, packetBytes),
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
        const data: MqttData = { conn: new MqttConnection(ctx, token, [slot]) };
        res.upgrade(data, key, protocol, extensions, context);
      } catch (error) {
        refuseUpgrade(res, toTidingsError(ctx, error));
      }
    },
    open: (ws) => {
      const { conn } = ws.getUserData();
      openSession(ctx, conn, wsOutputOf(ctx, conn, ws, true), () => conn.grant !== undefined, 'no CONNECT in time');
    },
    message: (ws, message, isBinary) => {
      const { conn } = ws.getUserData();
      if (conn.closed) return;
      if (!isBinary) return conn.end(CLOSE.UNSUPPORTED_DATA, 'MQTT travels in binary frames');
      // A copy, since uWS reuses `message` and the reader may keep it: into Node's shared buffer pool
      // (for packets under 4 KB), not a fresh ArrayBuffer with memory of its own per message.
      receiveBytes(ctx, conn, Buffer.from(new Uint8Array(message)));
    },
    drain: (ws) => ws.getUserData().conn.drained(),
    close: (ws) => connectionClosed(ctx, ws.getUserData().conn),
  });
}
