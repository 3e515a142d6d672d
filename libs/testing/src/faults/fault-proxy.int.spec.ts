import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../wait-until.js';
import { FaultProxy } from './fault-proxy.js';

// The proxy against a real echo server on loopback: each fault does what it says, and nothing more.

let echo: Server;
let proxy: FaultProxy;

beforeAll(async () => {
  echo = createServer((socket) => {
    socket.on('error', () => socket.destroy()); // reset by the proxy on purpose
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  proxy = await FaultProxy.start((echo.address() as { port: number }).port);
});

afterAll(async () => {
  await proxy.stop();
  await new Promise((resolve) => echo.close(resolve));
});

async function open(): Promise<{ socket: Socket; received: () => string }> {
  const socket = connect(proxy.port, '127.0.0.1');
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (text += chunk));
  socket.on('error', () => socket.destroy()); // a reset is one of the faults
  await once(socket, 'connect');
  return { socket, received: () => text };
}

describe('FaultProxy', () => {
  it('forwards both ways untouched, late by the latency set, and slowed by the bandwidth limit', async () => {
    const { socket, received } = await open();
    socket.write('plain');
    await waitUntil(() => received() === 'plain', 'the echo');
    // Lower bounds only: a busy machine can make things later, never earlier.
    proxy.setLatency(300);
    let started = Date.now();
    socket.write('late');
    await waitUntil(() => received() === 'plainlate', 'the late echo');
    expect(Date.now() - started).toBeGreaterThanOrEqual(600); // held there and back
    proxy.clear();
    proxy.setBandwidth(1000);
    started = Date.now();
    socket.write('x'.repeat(300));
    await waitUntil(() => received().length === 'plainlate'.length + 300, 'the slowed echo');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250); // 300 bytes at 1000 a second, in 50 ms slices
    proxy.clear();
    socket.destroy();
  });

  it('holds everything through a partition and delivers it after, then resets, then goes silent without closing', async () => {
    const { socket, received } = await open();
    const started = Date.now();
    const healed = proxy.partition(300);
    socket.write('held');
    await healed;
    await waitUntil(() => received() === 'held', 'what the partition held');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);

    const second = await open();
    second.socket.write('up');
    await waitUntil(() => second.received() === 'up', 'the second connection to be through');
    const closed = new Promise((resolve) => second.socket.once('close', resolve));
    proxy.reset();
    await closed;

    const third = await open();
    third.socket.write('before');
    await waitUntil(() => third.received() === 'before', 'the echo before the silence');
    proxy.halfOpen();
    third.socket.write('after');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(third.received()).toBe('before');
    expect(third.socket.destroyed).toBe(false); // silent, not closed
    const fresh = await open();
    fresh.socket.write('new');
    await waitUntil(() => fresh.received() === 'new', 'a new connection to work');
    for (const s of [socket, third.socket, fresh.socket]) s.destroy();
  });
});
