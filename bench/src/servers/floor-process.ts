// The bare-write floor: the least a Node server can do to fan an event out with one write per
// event per connection. It holds idle loopback connections (SSE: a 200 with chunked
// text/event-stream; WebSocket: a valid 101) and, for each `POST /publish`, answers 201 and then
// writes the same bytes Tidings would send (its SSE frame or WebSocket event frame, same size)
// to every socket, one socket.write each. No Redis, no parsing of subscriber input, no
// backpressure policy: whatever a real server spends beyond this is its own overhead.
// Usage: node floor-process.js [--port N]; prints {"msg":"listening","port":N} when ready.
import { type Socket, createServer } from 'node:net';
import { websocketAccept } from '../loadgen/ws-handshake.js';
import { BENCH_CHANNEL } from './server-under-test.js';

const MAX_HEAD = 16 * 1024;
const sse = new Set<Socket>();
const ws = new Set<Socket>();
let published = 0;
let resets = 0;
const otherErrors = new Map<string, number>();

function headOf(buffer: Buffer): { lines: string[]; length: number } | undefined {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  return { lines: buffer.subarray(0, end).toString('latin1').split('\r\n'), length: end + 4 };
}

function header(lines: readonly string[], name: string): string | undefined {
  const prefix = `${name.toLowerCase()}:`;
  const line = lines.find((l) => l.toLowerCase().startsWith(prefix));
  return line?.slice(prefix.length).trim();
}

/** The bytes Tidings sends for one event: the same envelope and sizes, built once per event. */
function frames(data: string): { sseChunk: Buffer; wsFrame: Buffer } {
  published++;
  const id = `${Date.now()}-0`;
  const envelope = `"channel":"${BENCH_CHANNEL}","id":"${id}","event":"message","data":${JSON.stringify(data)}`;
  const cursor = Buffer.from(`1\n0.0\n${BENCH_CHANNEL} ${published}`).toString('base64url');
  const sseText = Buffer.from(`id: ${cursor}\nevent: message\ndata: {${envelope}}\n\n`);
  const sseChunk = Buffer.concat([Buffer.from(`${sseText.length.toString(16)}\r\n`), sseText, Buffer.from('\r\n')]);
  const wsPayload = Buffer.from(`{"type":"event",${envelope}}`);
  const length = wsPayload.length;
  const wsHead = length < 126 ? Buffer.from([0x81, length]) : Buffer.from([0x81, 126, length >> 8, length & 0xff]);
  return { sseChunk, wsFrame: Buffer.concat([wsHead, wsPayload]) };
}

function fanOut(data: string): void {
  const { sseChunk, wsFrame } = frames(data);
  for (const socket of sse) socket.write(sseChunk);
  for (const socket of ws) socket.write(wsFrame);
}

/** A keep-alive publisher: each `POST` body is one event's data. */
function servePublisher(socket: Socket, first: Buffer): void {
  let pending = first;
  const drainRequests = () => {
    for (;;) {
      const head = headOf(pending);
      if (head === undefined) return;
      const bodyLength = Number(header(head.lines, 'content-length') ?? 0);
      if (pending.length < head.length + bodyLength) return;
      const body = pending.subarray(head.length, head.length + bodyLength).toString('utf8');
      pending = pending.subarray(head.length + bodyLength);
      socket.write('HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n');
      fanOut(body);
    }
  };
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    drainRequests();
  });
  drainRequests();
}

function accept(socket: Socket): void {
  socket.setNoDelay(true);
  let received = Buffer.alloc(0);
  const onHead = (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    const head = headOf(received);
    if (head === undefined) {
      if (received.length > MAX_HEAD) socket.destroy();
      return;
    }
    socket.off('data', onHead);
    if (head.lines[0]?.startsWith('POST ')) return servePublisher(socket, received);
    const key = header(head.lines, 'sec-websocket-key');
    if (header(head.lines, 'upgrade')?.toLowerCase() === 'websocket' && key !== undefined) {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${websocketAccept(key)}\r\n\r\n`);
      ws.add(socket);
    } else {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n');
      sse.add(socket);
    }
    // Whatever a subscriber sends from now on (a subscribe frame, pongs) is read and dropped.
    socket.resume();
  };
  socket.on('data', onHead);
  socket.on('error', (error: NodeJS.ErrnoException) => {
    // The generator ends its connections with a reset on purpose; anything else is worth a line.
    if (error.code === 'ECONNRESET') resets++;
    else otherErrors.set(error.code ?? error.message, (otherErrors.get(error.code ?? error.message) ?? 0) + 1);
  });
  socket.on('close', () => {
    sse.delete(socket);
    ws.delete(socket);
  });
}

const server = createServer(accept);
const portFlag = process.argv.indexOf('--port');
server.listen(portFlag > 0 ? Number(process.argv[portFlag + 1]) : 0, '127.0.0.1', 4096, () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: typeof address === 'object' && address !== null ? address.port : 0 })}\n`);
});

function shutDown(): void {
  server.close();
  for (const socket of [...sse, ...ws]) socket.destroy();
  const errors = [...otherErrors].map(([code, n]) => `${code} ×${n}`).join(', ');
  process.stderr.write(`floor: ${published} events published, ${resets} connections reset by clients${errors ? `, other socket errors: ${errors}` : ''}\n`);
  process.exit(0);
}
process.on('SIGTERM', shutDown);
process.on('SIGINT', shutDown);
