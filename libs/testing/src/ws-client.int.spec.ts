import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { WsClient, WsRejectedError } from './ws-client.js';

let http: Server | undefined;
let wss: WebSocketServer | undefined;

/** An echo server: each text frame comes back as { echo: <parsed> }; 'close' closes with 4001. */
async function echoServer(): Promise<string> {
  http = createServer((_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end('{"error":"no"}');
  });
  wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req, socket, head) => {
    if (req.url !== '/v1/ws') {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: 14\r\n\r\n{"error":"no"}');
      return;
    }
    wss!.handleUpgrade(req, socket, head, (ws) => {
      ws.send(JSON.stringify({ type: 'hello', auth: req.headers['authorization'] ?? null }));
      ws.on('message', (data, isBinary) => {
        const text = data.toString();
        if (isBinary) ws.send(data, { binary: true });
        else if (text === 'close') ws.close(4001, 'asked to');
        else if (text === 'raw') ws.send('not json');
        else ws.send(JSON.stringify({ type: 'echo', echo: JSON.parse(text) }));
      });
    });
  });
  await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
  return `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const client of wss?.clients ?? []) client.terminate();
  wss?.close();
  await new Promise((resolve) => http?.close(resolve) ?? resolve(undefined));
});

describe('WsClient', () => {
  it('sends and receives JSON frames, with headers on the upgrade; next(filter) leaves the frames it passes over', async () => {
    const ws = await WsClient.connect(`${await echoServer()}/v1/ws`, { headers: { authorization: 'Bearer t' } });
    expect(await ws.next()).toEqual({ type: 'hello', auth: 'Bearer t' });
    ws.send({ type: 'ping', ref: 1 });
    ws.send({ type: 'ping', ref: 2 });
    expect(await ws.next((f) => f.echo.ref === 2)).toEqual({ type: 'echo', echo: { type: 'ping', ref: 2 } });
    expect(await ws.next()).toEqual({ type: 'echo', echo: { type: 'ping', ref: 1 } });
    expect(ws.frames).toHaveLength(3);
    ws.close();
    expect((await ws.closed).code).toBe(1005);
  });

  it('keeps non-JSON text as a string and binary frames as Buffers', async () => {
    const ws = await WsClient.connect(`${await echoServer()}/v1/ws`);
    ws.sendRaw('raw');
    expect(await ws.next((f) => typeof f === 'string')).toBe('not json');
    ws.sendRaw(Buffer.from([1, 2, 3]), true);
    expect(await ws.next((f) => Buffer.isBuffer(f))).toEqual(Buffer.from([1, 2, 3]));
    ws.close();
  });

  it('reports the close code and reason the server chose', async () => {
    const ws = await WsClient.connect(`${await echoServer()}/v1/ws`);
    ws.sendRaw('close');
    expect(await ws.closed).toEqual({ code: 4001, reason: 'asked to' });
    await expect(ws.next((f) => f.type === 'never')).rejects.toThrow(/connection closed before a matching WebSocket frame arrived/);
  });

  it('rejects with the HTTP status and body when the upgrade is refused', async () => {
    const url = await echoServer();
    const error = await WsClient.connect(`${url}/elsewhere`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WsRejectedError);
    expect(error).toMatchObject({ status: 401, body: '{"error":"no"}' });
  });
});
