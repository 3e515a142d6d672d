import { type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SseClient } from './sse-client.js';

let server: Server | undefined;
const clients: SseClient[] = [];

/** A tiny server whose handler writes the response by hand; resolves with its base URL. */
async function serve(handler: (res: ServerResponse, headers: Record<string, string | string[] | undefined>) => void): Promise<string> {
  server = createServer((req, res) => handler(res, req.headers));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function connect(url: string, headers?: Record<string, string>): Promise<SseClient> {
  const client = await SseClient.connect(url, { headers });
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('SseClient', () => {
  it('parses a stream written in chunks split mid-line, mid-field and between CR and LF', async () => {
    const chunks = ['retry: 15', '00\r', '\n: heart', 'beat\r\n\r', '\nid: c1\r\nev', 'ent: price\r\nda', 'ta: {"a"', ':1}\r\n\r\n', 'data: two\rdata: lines\r\r'];
    const url = await serve(async (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-node': 'n1' });
      for (const chunk of chunks) {
        res.write(chunk);
        await tick();
      }
    });
    const sse = await connect(`${url}/v1/sse`);
    expect(sse.status).toBe(200);
    expect(sse.headers['content-type']).toBe('text/event-stream');
    expect(sse.headers['x-node']).toBe('n1');
    expect(await sse.waitFor(2)).toEqual([
      { id: 'c1', event: 'price', data: '{"a":1}' },
      { event: 'message', data: 'two\nlines' },
    ]);
    expect(sse.retryMs).toBe(1500);
    expect(sse.comments).toEqual(['heartbeat']);
    expect(sse.lastEventId).toBe('c1');
  });

  it('sends its headers and asks for an event stream', async () => {
    let seen: Record<string, string | string[] | undefined> = {};
    const url = await serve((res, headers) => {
      seen = headers;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end();
    });
    const sse = await connect(url, { 'last-event-id': 'abc' });
    await sse.closed;
    expect(seen).toMatchObject({ accept: 'text/event-stream', 'last-event-id': 'abc' });
  });

  it('follows the last event id through id-only blocks', async () => {
    const url = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('retry: 100\nid: cursor-0\n\n');
      setTimeout(() => res.write('id: cursor-1\ndata: x\n\n'), 50);
    });
    const sse = await connect(url);
    await expect.poll(() => sse.lastEventId).toBe('cursor-0');
    expect(sse.events).toEqual([]);
    expect(await sse.nextEvent()).toEqual({ id: 'cursor-1', event: 'message', data: 'x' });
    expect(sse.lastEventId).toBe('cursor-1');
  });

  it('nextEvent(filter) takes the first match and leaves the events it passed over to waitFor', async () => {
    const url = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: a\ndata: 1\n\nevent: reset\ndata: 2\n\nevent: a\ndata: 3\n\n');
    });
    const sse = await connect(url);
    expect((await sse.nextEvent((e) => e.event === 'reset')).data).toBe('2');
    expect((await sse.waitFor(2)).map((e) => e.data)).toEqual(['1', '3']);
    expect(sse.events.map((e) => e.data)).toEqual(['1', '2', '3']);
  });

  it('resolves closed when the server ends the stream, and fails waiters at once', async () => {
    const url = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: only\n\n');
    });
    const sse = await connect(url);
    await sse.closed;
    expect(sse.events).toEqual([{ event: 'message', data: 'only' }]);
    await expect(sse.waitFor(2, 60_000)).rejects.toThrow(/connection closed before 2 more SSE events arrived/);
  });

  it('keeps the body of a response that is not an event stream', async () => {
    const url = await serve((res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"TIDINGS_CHANNEL_INVALID"}}');
    });
    const sse = await connect(url);
    await sse.closed;
    expect(sse.status).toBe(400);
    expect(JSON.parse(sse.body)).toEqual({ error: { code: 'TIDINGS_CHANNEL_INVALID' } });
    expect(sse.events).toEqual([]);
  });

  it('close() drops the connection', async () => {
    let serverSaw: Promise<void> = Promise.resolve();
    const url = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': open\n\n');
      serverSaw = new Promise((resolve) => res.once('close', () => resolve()));
    });
    const sse = await connect(url);
    sse.close();
    await sse.closed;
    await serverSaw;
  });

  it('rejects when nothing listens', async () => {
    const url = await serve(() => undefined);
    server!.close();
    await expect(SseClient.connect(url)).rejects.toThrow(/ECONNREFUSED/);
  });
});
