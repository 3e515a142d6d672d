import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpExchange } from './http-exchange.js';
import { isNativeUws, loadUws } from './load-uws.js';
import { listen, type Listening } from './listen.js';
import { OutputFlusher, type WriteOutcome } from './output-flusher.js';
import { SseStream } from './sse-stream.js';

const uws = loadUws(false);
let server: Listening | undefined;
let client: Socket | undefined;

afterEach(() => {
  client?.destroy();
  server?.close();
});

/** Serves one SSE stream that writes `chunk` until the stream reports anything but 'sent'/'buffered'. */
async function serveFlood(cap: number, chunk: string): Promise<{ port: number; result: Promise<{ outcome: WriteOutcome; buffered: number }> }> {
  let report!: (r: { outcome: WriteOutcome; buffered: number }) => void;
  const result = new Promise<{ outcome: WriteOutcome; buffered: number }>((resolve) => (report = resolve));
  const app = uws.App().get('/sse', (res, req) => {
    const stream = new SseStream(new HttpExchange(res, req), cap, new OutputFlusher());
    stream.open({ 'content-type': 'text/event-stream' }, ': open\n\n');
    const pump = () => {
      for (let i = 0; i < 10; i++) {
        const outcome = stream.write(chunk);
        if (outcome === 'dropped') {
          const buffered = stream.pendingBytes;
          stream.abort();
          report({ outcome, buffered });
          return;
        }
      }
      setImmediate(pump); // let the event loop run, as a real node would between deliveries
    };
    pump();
  });
  server = await listen(uws, app, '127.0.0.1', 0, 'exclusive');
  return { port: server.port, result };
}

describe('the uWebSockets.js transport', () => {
  it('runs on the native binary, not the pure-JS fallback', () => {
    expect(isNativeUws()).toBe(true);
  });

  it('reports a client that does not read as dropped once its buffer passes the cap, holding no more than the cap', async () => {
    const cap = 64 * 1024;
    const chunk = `data: ${'x'.repeat(1000)}\n\n`;
    const { port, result } = await serveFlood(cap, chunk);
    client = connect(port, '127.0.0.1', () => client!.write('GET /sse HTTP/1.1\r\nHost: x\r\n\r\n'));
    client.pause(); // never reads: the kernel buffers fill, then uWS', then ours trips
    const { outcome, buffered } = await result;
    expect(outcome).toBe('dropped');
    expect(buffered).toBeLessThanOrEqual(cap);
    expect(buffered + Buffer.byteLength(chunk)).toBeGreaterThan(cap);
  });
});
