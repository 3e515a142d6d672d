import { createServer, type Server } from 'node:http';
import { createRedisClient, RedisEventLog, RedisKeys } from '@tidings/broker';
import { type EdgeProcess, type ServiceProcess, SseClient, startEdge, startWorker, waitUntil, WsClient } from '@tidings/testing';
import { SIGNATURE_HEADER, verifyWebhook } from '@tidings/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgesOnRedis, wsUrl } from './support.js';

const cluster = edgesOnRedis(2);
const SECRET = 'a-webhook-secret-for-tests';
/**
 * Retries fast enough for a test, with waits long enough (2-4 s, jittered) that a step of the test
 * never races the next round: first redelivery 1 s after publish, two of them, then dead.
 */
const RETRY_POLICY = [
  '--receipts-ack-timeout-seconds', '1',
  '--receipts-max-retries', '2',
  '--receipts-backoff-base-seconds', '4',
  '--receipts-backoff-max-seconds', '4',
  '--jobs-lock-seconds', '2',
  '--jobs-reconcile-seconds', '1',
  '--webhook-secret', SECRET,
];

interface DeadLetter {
  channel: string;
  id: string;
  event?: string;
  data?: unknown;
  devices: { device: string; attempts: number; retries: number; deadAt: number }[];
}

/** A webhook receiver that keeps what it was sent and whether the signature held. */
const letters: { letter: DeadLetter; signed: boolean }[] = [];
let webhook: Server;
let webhookUrl: string;
let workers: ServiceProcess[] = [];

const startWorkers = (count: number) =>
  Promise.all(Array.from({ length: count }, () => startWorker({ redisUrl: cluster.redis.url, args: [...RETRY_POLICY, '--webhook-url', webhookUrl] })));

beforeAll(async () => {
  webhook = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      letters.push({ letter: JSON.parse(body) as DeadLetter, signed: verifyWebhook(SECRET, req.headers[SIGNATURE_HEADER] as string | undefined, body) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(webhook.address() as { port: number }).port}/dead-letters`;
  workers = await startWorkers(2);
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await new Promise((resolve) => webhook?.close(resolve));
});

interface DeviceState {
  device: string;
  state: string;
  attempts: number;
  retries: number;
}

async function deviceState(edge: EdgeProcess, channel: string, id: string, device: string): Promise<DeviceState | undefined> {
  const res = await fetch(`${edge.url}/v1/channels/${encodeURIComponent(channel)}/events/${id}/receipts`);
  const body = (await res.json()) as { devices: DeviceState[] };
  return body.devices.find((d) => d.device === device);
}

async function publishAck(edge: EdgeProcess, channel: string, data: unknown): Promise<string> {
  const res = await fetch(`${edge.url}/v1/channels/${encodeURIComponent(channel)}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ event: 'order', data, ack: true }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const sseUrl = (edge: EdgeProcess, channel: string, device: string) => `${edge.url}/v1/sse?channel=${encodeURIComponent(channel)}&device=${device}`;
const isRedelivery = (data: string) => (JSON.parse(data) as { redelivery?: boolean }).redelivery === true;

describe('the worker: every ack event ends acked or dead', () => {
  it('redelivers to a device that does not answer, declares it dead after the retries, and posts a signed dead letter', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const channel = 'worker/orders';
    const silent = await SseClient.connect(sseUrl(b, channel, 'silent'));
    const answers = await WsClient.connect(`${wsUrl(a)}?device=answers`);
    answers.send({ type: 'subscribe', channel });
    await answers.next((f) => f.type === 'subscribed');

    const id = await publishAck(a, channel, { order: 7 });
    const original = await silent.nextEvent();
    answers.send({ type: 'ack', channel, id: (await answers.next((f) => f.type === 'event')).id });
    await answers.next((f) => f.type === 'acked');

    // Two redeliveries, out of stream order: no `id:` line, so the browser's Last-Event-ID stays put.
    const redeliveries = [await silent.nextEvent(), await silent.nextEvent()];
    for (const event of redeliveries) {
      expect(event.id).toBeUndefined();
      expect(JSON.parse(event.data)).toEqual({ ...JSON.parse(original.data), redelivery: true });
    }
    await waitUntil(async () => (await deviceState(a, channel, id, 'silent'))?.state === 'dead', 'silent to be declared dead');
    expect(await deviceState(a, channel, id, 'silent')).toMatchObject({ state: 'dead', retries: 2, attempts: 3 });
    expect(await deviceState(a, channel, id, 'answers')).toMatchObject({ state: 'received', retries: 0, attempts: 1 });

    await waitUntil(() => letters.some((l) => l.letter.id === id), 'the dead letter');
    const [letter, ...more] = letters.filter((l) => l.letter.id === id);
    expect(more).toEqual([]);
    expect(letter!.signed).toBe(true);
    expect(letter!.letter).toMatchObject({ channel, id, event: 'order', data: { order: 7 }, devices: [{ device: 'silent', retries: 2, attempts: 3 }] });
    // With two workers chasing, the silent device still saw exactly two retries.
    expect(silent.events.filter((e) => isRedelivery(e.data))).toHaveLength(2);
    silent.close();
    answers.close();
  });

  it('sends what a device owes as soon as it connects again, after its edge was killed, on another node', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const channel = 'worker/away';
    const doomed = await startEdge({ redisUrl: cluster.redis.url });
    const first = await SseClient.connect(sseUrl(doomed, channel, 'tablet'));
    const id = await publishAck(a, channel, { note: 'read me' });
    await first.nextEvent();
    const position = first.lastEventId;
    doomed.kill9(); // the edge holding the device dies before the device answers
    await first.closed;

    await waitUntil(async () => ((await deviceState(a, channel, id, 'tablet'))?.retries ?? 0) >= 1, 'a redelivery to the absent tablet');
    // Back on another node, resuming after the event: the log has nothing new, the owed event comes anyway.
    const back = await SseClient.connect(sseUrl(b, channel, 'tablet'), { headers: { 'last-event-id': position! } });
    const owed = await back.nextEvent();
    expect(JSON.parse(owed.data)).toMatchObject({ id, ack: true, redelivery: true, data: { note: 'read me' } });
    const res = await fetch(`${b.url}/v1/channels/${encodeURIComponent(channel)}/events/${id}/receipts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ device: 'tablet', status: 'processed' }),
    });
    expect(res.status).toBe(200);
    back.close();
    expect(await deviceState(a, channel, id, 'tablet')).toMatchObject({ state: 'processed' });
  });

  it('chases an ack event whose job was never queued (its edge died right after storing it)', async () => {
    const [a] = cluster.edges as [EdgeProcess];
    const channel = 'worker/orphan';
    const device = await SseClient.connect(sseUrl(a, channel, 'kiosk'));
    // Appended the way an edge does, minus queueing the job: what a crash in between leaves behind.
    const redis = createRedisClient({ kind: 'standalone', url: cluster.redis.url }, 'test-orphan');
    try {
      const log = new RedisEventLog({ redis, keys: new RedisKeys(), retention: { maxLength: 1000, maxAgeSeconds: 3600 } });
      const { id } = await log.append(channel, { event: 'order', data: 'orphan', ack: true });
      await waitUntil(async () => (await deviceState(a, channel, id, 'kiosk'))?.state === 'dead', 'the orphaned event to be chased to the end');
      expect(await deviceState(a, channel, id, 'kiosk')).toMatchObject({ retries: 2 });
    } finally {
      device.close();
      await redis.quit();
    }
  });

  it('survives kill -9 of every worker mid-stream: a new worker finishes each event exactly as planned', async () => {
    const [a] = cluster.edges as [EdgeProcess];
    const channel = 'worker/crash';
    const device = await SseClient.connect(sseUrl(a, channel, 'mute'));
    const ids: string[] = [];
    for (let i = 0; i < 150; i++) {
      ids.push(await publishAck(a, channel, i));
      if (i === 100) for (const worker of workers) worker.kill9(); // while they take the first jobs
    }
    await Promise.all(workers.map((w) => w.exited));
    workers = await startWorkers(1);

    for (const id of ids) {
      await waitUntil(async () => (await deviceState(a, channel, id, 'mute'))?.state === 'dead', `event ${id} to end`, 60_000);
    }
    const states = await Promise.all(ids.map((id) => deviceState(a, channel, id, 'mute')));
    // Never a retry too many, whoever ran which round and whatever was cut off.
    expect(new Set(states.map((s) => s?.retries))).toEqual(new Set([2]));
    await waitUntil(() => ids.every((id) => letters.some((l) => l.letter.id === id)), 'a dead letter for every event', 60_000);
    expect(letters.every((l) => l.signed)).toBe(true);
    device.close();
  });

  it('prunes on a schedule: forgotten memberships and stale presence go, live and lapsed ones stay, and the metrics say how many', async () => {
    const keys = new RedisKeys();
    const channel = 'worker/prune';
    const redis = createRedisClient({ kind: 'standalone', url: cluster.redis.url }, 'test-prune');
    const pruner = await startWorker({ redisUrl: cluster.redis.url, args: ['--prune-interval-seconds', '1', '--membership-idle-seconds', '3600'] });
    try {
      const [a] = cluster.edges as [EdgeProcess];
      const live = await SseClient.connect(sseUrl(a, channel, 'here'));
      // Away for more than twice the idle limit: forgotten. Away for more than the limit only: lapsed, still remembered.
      await redis.zadd(keys.members(channel), Date.now() - 3 * 3_600_000, 'long-gone', Date.now() - 1.5 * 3_600_000, 'lapsed');
      await redis.hset(keys.presence(channel), 'long-gone crashed-node', '1 1');
      await fetch(`${a.url}/v1/channels/${encodeURIComponent(channel)}/events`, { method: 'POST', body: 'listed in the directory' });

      await waitUntil(async () => (await redis.zscore(keys.members(channel), 'long-gone')) === null, 'the stale membership to be pruned');
      await waitUntil(async () => (await redis.hget(keys.presence(channel), 'long-gone crashed-node')) === null, 'the stale presence to be pruned');
      expect(await redis.zscore(keys.members(channel), 'here')).not.toBeNull();
      expect(await redis.zscore(keys.members(channel), 'lapsed')).not.toBeNull();
      // Whichever worker ran the pass counted it, once the pass was over (the keys go first).
      const pruned = async (kind: string) => {
        const scrapes = await Promise.all([pruner, ...workers].map(async (w) => (await fetch(`http://127.0.0.1:${w.port}/metrics`)).text()));
        return scrapes.reduce((sum, text) => sum + Number(new RegExp(`tidings_worker_pruned_total\\{kind="${kind}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? 0), 0);
      };
      await waitUntil(async () => (await pruned('members')) > 0, 'the pruned memberships to be counted');
      await waitUntil(async () => (await pruned('presence')) > 0, 'the pruned presence to be counted');
      live.close();
    } finally {
      await pruner.stop();
      await redis.quit();
    }
  });
});
