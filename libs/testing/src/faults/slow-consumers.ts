import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import type { EdgeProcess } from '../edge-process.js';
import { startRedisServer } from '../redis-server.js';
import { waitUntil } from '../wait-until.js';
import { DeliveryLedger } from './delivery-ledger.js';
import { startEdgeFleet } from './edge-fleet.js';
import { runThroughFault } from './fault-run.js';
import type { Scale, ScenarioReport } from './scenarios.js';

// A few subscribers stop reading in the middle of the run (SSE and WebSocket, spread over the
// edges by the balancer). They follow the devices' channels and one more, flooded with large
// events until more than any socket buffer is waiting for them. The edges must cut them at the
// buffer cap and go on delivering to everyone else: the others' publish-to-arrival times before
// and during the stall are measured.

export interface SlowConsumersReport extends ScenarioReport {
  /** Subscribers that stopped reading, and how many of them the edges cut off as slow consumers. */
  readonly stalled: number;
  readonly cut: number;
  /** The other devices' publish-to-arrival times (ms) for events published before the stall, and from it on. */
  readonly othersBefore: { readonly p50: number; readonly p99: number };
  readonly othersDuring: { readonly p50: number; readonly p99: number };
}

const CHANNELS = ['slow/a', 'slow/b', 'slow/c'];
const FLOOD_CHANNEL = 'slow/flood';
const CAP_BYTES = 65_536;
/** Under the edges' 64 KiB body limit; a few hundred of them outgrow the kernel's socket buffers. */
const FLOOD_EVENT = JSON.stringify({ data: 'x'.repeat(60_000) });
const FLOOD_LIMIT = 2000;

export async function slowConsumers(scale: Scale): Promise<SlowConsumersReport> {
  const redis = await startRedisServer();
  try {
    const fleet = await startEdgeFleet(redis.url, 3, ['--limits-slow-consumer-bytes', String(CAP_BYTES)]);
    const stalledPerTransport = Math.max(2, Math.ceil(scale.subscribersPerTransport / 20));
    const stalled: (Socket | WebSocket)[] = [];
    let stalledAt = Infinity;
    let cutBefore = 0;
    try {
      const ledger = new DeliveryLedger();
      const report = await runThroughFault(
        { scenario: 'slow-consumers', url: fleet.balancer.url, channels: CHANNELS, ...scale, faultAt: 0.2 },
        async () => {
          cutBefore = await cutSoFar(fleet.edges);
          for (let i = 0; i < stalledPerTransport; i++) stalled.push(await stalledSse(fleet.balancer.port), await stalledWs(fleet.balancer.url));
          stalledAt = Date.now();
          const allCut = async () => (await cutSoFar(fleet.edges)) - cutBefore >= stalled.length;
          for (let n = 0; n < FLOOD_LIMIT && !(n % 50 === 0 && (await allCut())); n++) await flood(fleet.balancer.url);
          // A guard, not a measure: the report says how many were cut.
          await waitUntil(allCut, 'the stalled readers to be cut', 30_000, 250).catch(() => undefined);
        },
        ledger,
      );
      const cut = (await cutSoFar(fleet.edges)) - cutBefore;
      const { p50: b50, p99: b99 } = ledger.delay(0, stalledAt);
      const { p50: d50, p99: d99 } = ledger.delay(stalledAt);
      return { ...report, lostByRedis: 0, lossWindowMs: 0, missingKept: report.missing, stalled: stalled.length, cut, othersBefore: { p50: b50, p99: b99 }, othersDuring: { p50: d50, p99: d99 } };
    } finally {
      for (const s of stalled) if (s instanceof WebSocket) s.terminate();
      else s.destroy();
      await fleet.stop();
    }
  } finally {
    await redis.stop();
  }
}

/** One large event on the channel only the stalled readers follow (a refusal is simply not counted). */
async function flood(url: string): Promise<void> {
  const res = await fetch(`${url}/v1/channels/${encodeURIComponent(FLOOD_CHANNEL)}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: FLOOD_EVENT });
  await res.arrayBuffer();
}

/** Slow-consumer disconnects so far, all edges and transports. */
async function cutSoFar(edges: readonly EdgeProcess[]): Promise<number> {
  let total = 0;
  for (const edge of edges) {
    const text = await (await fetch(`${edge.url}/metrics`)).text();
    for (const line of text.split('\n')) if (line.startsWith('tidings_edge_slow_consumer_disconnects_total{')) total += Number(line.split(' ').pop());
  }
  return total;
}

/** An SSE request on a raw socket that never reads a byte of the answer. */
async function stalledSse(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => socket.destroy()); // cut by the edge: what this client is for
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.pause();
  socket.write(`GET /v1/sse?${[...CHANNELS, FLOOD_CHANNEL].map((c) => `channel=${encodeURIComponent(c)}`).join('&')} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`);
  return socket;
}

/** A WebSocket that subscribes to every channel, then stops reading. */
async function stalledWs(url: string): Promise<WebSocket> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/ws`);
  socket.on('error', () => socket.terminate());
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let subscribed = 0;
  const all = new Promise<void>((resolve) =>
    socket.on('message', (raw: Buffer) => {
      if ((JSON.parse(raw.toString('utf8')) as { type: string }).type === 'subscribed' && ++subscribed === CHANNELS.length + 1) resolve();
    }),
  );
  for (const channel of [...CHANNELS, FLOOD_CHANNEL]) socket.send(JSON.stringify({ type: 'subscribe', channel }));
  await all;
  (socket as unknown as { _socket: Socket })._socket.pause();
  return socket;
}
