// What the socket routes (`/v1/ws`, `/mqtt`, MQTT over TCP) share: uWS settings and a session's open and close.
import { CLOSE } from '@tidings/protocol';
import { type SessionOutput, type WebSocket, WsOutput } from '@tidings/transport-uws';
import type { EdgeContext } from '../context.js';
import type { NamedSink, SocketSession } from '../sessions/socket-session.js';

/**
 * Our cap is checked on every send (WsOutput); uWS' own limit sits above it so that the 4001 close
 * frame still fits behind a full buffer and the client learns why.
 */
export function socketSettings(ctx: EdgeContext, maxPayloadLength: number) {
  const { limits } = ctx.config;
  return {
    maxPayloadLength,
    maxBackpressure: limits.slowConsumerBytes + 2 * limits.maxBodyBytes + 4096,
    idleTimeout: limits.wsIdleSeconds,
    sendPingsAutomatically: true,
  } as const;
}

/** A WebSocket's output for `conn`: text frames, or binary ones (MQTT), at most limits.slowConsumerBytes waiting. */
export function wsOutputOf(ctx: EdgeContext, conn: SocketSession<NamedSink>, ws: WebSocket<unknown>, binary: boolean): SessionOutput {
  return new WsOutput(ws, ctx.config.limits.slowConsumerBytes, ctx.flusher, conn, binary);
}

/** The socket opened: the session writes through `output`, is counted, and is closed unless `authenticated` within the auth deadline. */
export function openSession(ctx: EdgeContext, conn: SocketSession<NamedSink>, output: SessionOutput, authenticated: () => boolean, why: string): void {
  conn.opened(output);
  ctx.sessions.add(conn);
  ctx.metrics.connections.inc({ transport: conn.transport });
  if (authenticated()) return;
  conn.handshakeTimer = setTimeout(() => {
    if (!authenticated()) conn.end(CLOSE.UNAUTHORIZED, why);
  }, ctx.config.auth.wsAuthSeconds * 1000);
}

/** The socket closed (either side): the session lets go of everything. */
export function closeSession(ctx: EdgeContext, conn: SocketSession<NamedSink>): void {
  conn.closedBySocket();
  ctx.sessions.remove(conn);
  ctx.metrics.connections.dec({ transport: conn.transport });
}
