import { createServer, type Server, type Socket } from 'node:net';
import { isTidingsError } from '@tidings/protocol';
import { TcpOutput } from '@tidings/transport-uws';
import type { EdgeContext } from '../context.js';
import { openSession } from '../routes/socket-route.js';
import { MqttConnection } from './mqtt-connection.js';
import { connectionClosed, receiveBytes } from './mqtt-input.js';

export interface MqttTcpListener {
  readonly port: number;
  /** Stops accepting connections; open ones are closed with the node's other sessions. */
  close(): void;
}

/** The MQTT port is taken or its address is not this machine's. */
export class MqttListenError extends Error {}

/**
 * MQTT over plain TCP on its own port (--mqtt-port, ADR 16): the same MqttConnection, packet
 * handling, limits and drain as `/mqtt`; only the carrier differs (a TcpOutput instead of a
 * WsOutput, no handshake credentials: the CONNECT password carries them).
 */
export async function listenMqttTcp(ctx: EdgeContext, host: string, port: number): Promise<MqttTcpListener> {
  const server = createServer({ noDelay: true }, (socket) => accept(ctx, socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new MqttListenError(`cannot listen for MQTT on ${host}:${port}: ${error.message}`)));
    server.listen({ host, port, exclusive: true }, resolve);
  });
  server.on('error', (error) => ctx.logger.warn({ err: error }, 'mqtt listener problem'));
  return { port: listeningPort(server), close: () => server.close() };
}

function listeningPort(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new MqttListenError('the MQTT listener has no TCP address');
  return address.port;
}

function accept(ctx: EdgeContext, socket: Socket): void {
  if (ctx.isDraining()) return void socket.destroy();
  let slot: () => void;
  try {
    slot = ctx.connectionLimits.acquire(undefined, socket.remoteAddress);
  } catch (error) {
    if (!isTidingsError(error)) throw error;
    ctx.metrics.badRequestsTotal.inc({ code: error.code });
    return void socket.destroy();
  }
  const conn = new MqttConnection(ctx, undefined, [slot]);
  openSession(ctx, conn, new TcpOutput(socket, ctx.config.limits.slowConsumerBytes, ctx.flusher), () => conn.grant !== undefined, 'no CONNECT in time');
  // The client's PINGREQs keep it open; one silent this long is gone (as a WebSocket past its idle limit).
  socket.setTimeout(ctx.config.limits.wsIdleSeconds * 1000, () => socket.destroy());
  socket.on('data', (bytes) => receiveBytes(ctx, conn, bytes));
  socket.on('drain', () => conn.drained());
  socket.on('error', (error) => ctx.logger.debug({ err: error }, 'mqtt tcp connection error'));
  socket.once('close', () => connectionClosed(ctx, conn));
}
