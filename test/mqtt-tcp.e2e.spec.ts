// MQTT over plain TCP (--mqtt-port, ADR 16) with Debian's own clients, mosquitto_sub and
// mosquitto_pub, against real edges sharing one Redis, beside SSE pages and HTTP publishers.
import type { ChildProcess } from 'node:child_process';
import { connect as connectTcp } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type EdgeProcess, exitOf, isRunning, SseClient, spawnTracked, startEdge, waitUntil } from '@tidings/testing';
import { SignJWT } from 'jose';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { edgesOnRedis, publish } from './support.js';

const cluster = edgesOnRedis(2, (i) => (i === 0 ? ['--mqtt-port', '0'] : []));
const tcpPort = (edge: EdgeProcess): string => String(edge.mqttPort);

/** A running mosquitto_sub: its message lines (`topic payload`) and its debug lines, as they arrive. */
interface Sub {
  readonly child: ChildProcess;
  readonly messages: string[];
  readonly debug: string[];
}

const subs: ChildProcess[] = [];
afterEach(() => {
  for (const child of subs.splice(0)) if (isRunning(child)) child.kill('SIGKILL');
});

/** mosquitto_sub -d -v on the edge's MQTT port, resolved once its SUBACK came (`Subscribed (mid: 1): <granted QoS…>`). */
async function mosquittoSub(edge: EdgeProcess, args: string[]): Promise<Sub & { granted: string }> {
  // Line-buffered: piped, mosquitto_sub would hold its lines in stdio's buffer.
  const child = spawnTracked('stdbuf', ['-oL', 'mosquitto_sub', '-h', '127.0.0.1', '-p', tcpPort(edge), '-d', '-v', ...args]);
  subs.push(child);
  const sub: Sub = { child, messages: [], debug: [] };
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop()!;
    for (const line of lines) (line.startsWith('Client ') || line.startsWith('Subscribed ') ? sub.debug : sub.messages).push(line);
  });
  await waitUntil(() => sub.debug.some((l) => l.startsWith('Subscribed ')) || !isRunning(child), 'mosquitto_sub’s SUBACK');
  const granted = sub.debug.find((l) => l.startsWith('Subscribed '));
  if (!granted) throw new Error(`mosquitto_sub ended before its SUBACK: ${sub.debug.join('\n')}`);
  return { ...sub, granted: granted.replace(/^Subscribed \(mid: \d+\): /, '') };
}

/** mosquitto_pub; resolves with its exit code. */
async function mosquittoPub(edge: EdgeProcess, args: string[]): Promise<number | null> {
  return exitOf(spawnTracked('mosquitto_pub', ['-h', '127.0.0.1', '-p', tcpPort(edge), ...args]));
}

describe('MQTT over TCP with mosquitto_sub and mosquitto_pub', () => {
  it('subscribes with wildcards at -q 2 (granted 1) and gets events published over HTTP on another edge, in order', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const sub = await mosquittoSub(a, ['-q', '2', '-t', 'tcp/+/sport', '-t', 'tcp/results/#']);
    expect(sub.granted).toBe('1, 1');
    await publish(b, 'tcp/eu/sport', 'goal');
    await publish(b, 'tcp/eu/politics', 'not for these filters');
    await publish(b, 'tcp/results/2026/final', { score: [2, 1] });
    await publish(b, 'tcp/us/sport', 'touchdown');
    await waitUntil(() => sub.messages.length >= 3, 'three events');
    expect(sub.messages).toEqual(['tcp/eu/sport goal', 'tcp/results/2026/final {"score":[2,1]}', 'tcp/us/sport touchdown']);
    expect(sub.debug.filter((l) => l.includes('received PUBLISH')).every((l) => l.includes('q1'))).toBe(true);
  });

  it('takes mosquitto_pub’s publishes into the channel, and an SSE page on another edge sees them', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const page = await SseClient.connect(`${b.url}/v1/sse?channel=tcp/kitchen`);
    try {
      expect(await mosquittoPub(a, ['-q', '1', '-t', 'tcp/kitchen', '-m', '{"celsius":21.5}'])).toBe(0);
      expect(await mosquittoPub(a, ['-V', 'mqttv5', '-t', 'tcp/kitchen', '-m', 'plain text'])).toBe(0);
      const first = JSON.parse((await page.nextEvent((e) => e.event === 'message')).data) as { data: unknown };
      const second = JSON.parse((await page.nextEvent((e) => e.event === 'message')).data) as { data: unknown };
      expect([first.data, second.data]).toEqual([{ celsius: 21.5 }, 'plain text']);
    } finally {
      page.close();
    }
  });

  it('resumes mosquitto_sub -c -i after a reconnect with everything published while it was away', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const first = await mosquittoSub(a, ['-c', '-i', 'tcp-resumer', '-q', '1', '-t', 'tcpres/+/feed', '-t', 'tcpres/one']);
    first.child.kill('SIGINT'); // mosquitto_sub says DISCONNECT and leaves; the session stays
    await exitOf(first.child);
    await publish(b, 'tcpres/one', 'away 1');
    await publish(b, 'tcpres/x/feed', 'away 2');
    await publish(b, 'tcpres/one', 'away 3');
    const again = await mosquittoSub(a, ['-c', '-i', 'tcp-resumer', '-q', '1', '-t', 'tcpres/+/feed', '-t', 'tcpres/one']);
    expect(again.debug.find((l) => l.includes('received CONNACK'))).toContain('CONNACK (0)');
    await waitUntil(() => new Set(again.messages).size === 3, 'what was published while away');
    const once = [...new Set(again.messages)]; // at least once: a repeat is allowed, a loss or reordering is not
    expect(once.filter((m) => m.startsWith('tcpres/one '))).toEqual(['tcpres/one away 1', 'tcpres/one away 3']);
    expect(once).toContain('tcpres/x/feed away 2');
  });

  it('closes only the connection that sends bytes that are not MQTT, and keeps serving', async () => {
    const [a] = cluster.edges as [EdgeProcess];
    const socket = connectTcp({ host: '127.0.0.1', port: a.mqttPort! });
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(Buffer.from([0xf0, 0xff, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3]));
    await closed;
    expect(await mosquittoPub(a, ['-q', '1', '-t', 'tcp/after', '-m', 'still here'])).toBe(0);
  });
});

describe('--mqtt-port', () => {
  it('is refused with --processes N, which Node cannot share a TCP port across', async () => {
    const edge = spawnTracked('node', [fileURLToPath(new URL('../services/edge/dist/main.js', import.meta.url)), '--processes', '2', '--mqtt-port', '0', '--redis', cluster.redis.url]);
    let stderr = '';
    edge.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await exitOf(edge)).toBe(2);
    expect(stderr).toContain('--mqtt-port runs on a single edge process');
  });
});

describe('MQTT over TCP with authentication, and a drain', () => {
  const SECRET = 'an-hs256-secret-of-at-least-32-characters';
  let edge: EdgeProcess;
  beforeAll(async () => {
    edge = await startEdge({ redisUrl: cluster.redis.url, anonymous: false, args: ['--mqtt-port', '0'], env: { TIDINGS_AUTH_JWT_SECRET: SECRET } });
  });
  afterAll(async () => edge?.stop());

  const token = (sub: string): Promise<string> =>
    new SignJWT({ sub, exp: Math.floor(Date.now() / 1000) + 600, tidings: { subscribe: ['home/#'], publish: ['home/out'] } })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(SECRET));

  it('takes a token as the password, applies its grants, and refuses a client without one', async () => {
    expect(await mosquittoPub(edge, ['-q', '1', '-t', 'home/out', '-m', 'x'])).not.toBe(0);
    const password = await token('tcp-phone');
    expect(await mosquittoPub(edge, ['-q', '1', '-i', 'tcp-phone', '-u', 'u', '-P', password, '-t', 'home/out', '-m', 'x'])).toBe(0);
    expect(await mosquittoPub(edge, ['-q', '1', '-i', 'tcp-phone', '-u', 'u', '-P', password, '-t', 'home/in', '-m', 'x'])).not.toBe(0);
  });

  it('tells a 5.0 client the server is shutting down (DISCONNECT 0x8B) when the edge drains', async () => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${edge.mqttPort}`, { protocolVersion: 5, reconnectPeriod: 0, clientId: 'drained', username: 'u', password: await token('drained') });
    const reason = new Promise<number | undefined>((resolve) => client.once('disconnect', (packet) => resolve(packet.reasonCode)));
    await edge.stop();
    expect(await reason).toBe(0x8b);
    await client.endAsync(true);
  });
});
