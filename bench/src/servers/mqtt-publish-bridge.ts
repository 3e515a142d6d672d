// How the bench publishes to Mosquitto: Mosquitto speaks no HTTP, and the bench's publisher POSTs.
// This process takes `POST /publish` (body: the event's data) and sends it as a QoS 1 PUBLISH on
// one MQTT connection to the broker's TCP listener, answering 201 on the broker's PUBACK — as
// Tidings answers once the event is stored — so a burst cannot run ahead of the broker.
// Usage: node mqtt-publish-bridge.js <broker TCP port> <topic>; prints {"msg":"listening","port":N}.
import { createServer, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { mqttConnect, mqttPublish } from '../loadgen/mqtt-packets.js';

const PUBACK = 4;
const [brokerPort, topic] = [Number(process.argv[2]), process.argv[3] ?? 'bench'];
/** Answers waiting for their PUBACK, oldest first (the broker acknowledges in order). */
const waiting: ServerResponse[] = [];
let nextId = 0;
let pending: Buffer = Buffer.alloc(0);

const broker = connect({ host: '127.0.0.1', port: brokerPort, noDelay: true });
broker.write(mqttConnect('bench-publisher'));
// Only CONNACK and PUBACKs come on this connection, each 4 bytes (fixed header + 2).
broker.on('data', (chunk: Buffer) => {
  pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
  let at = 0;
  for (; at + 2 <= pending.length && at + 2 + pending[at + 1]! <= pending.length; at += 2 + pending[at + 1]!) {
    if (pending[at]! >> 4 === PUBACK) waiting.shift()?.writeHead(201, { 'content-type': 'text/plain' }).end('ok');
  }
  pending = pending.subarray(at);
});
broker.on('close', () => {
  process.stderr.write('mqtt-publish-bridge: the broker closed the connection\n');
  process.exit(1);
});

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    if (req.method !== 'POST' || req.url !== '/publish') {
      res.writeHead(404).end();
      return;
    }
    nextId = (nextId % 0xffff) + 1;
    waiting.push(res);
    broker.write(mqttPublish(topic, Buffer.concat(chunks).toString('utf8'), nextId));
  });
});
server.keepAliveTimeout = 120_000;
broker.once('connect', () =>
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`${JSON.stringify({ msg: 'listening', port: typeof address === 'object' && address !== null ? address.port : 0 })}\n`);
  }),
);
process.on('SIGTERM', () => {
  broker.end();
  server.close(() => process.exit(0));
});
