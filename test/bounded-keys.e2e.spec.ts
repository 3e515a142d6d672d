import { type EdgeProcess, redisCommand, type RedisServer, type ServiceProcess, SseClient, startEdge, startRedisServer, startWorker, waitUntil, WsClient } from '@tidings/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wsUrl } from './support.js';

// Every key Tidings writes either expires or is pruned. A busy mixed workload — publishes with
// ack and idempotency keys, durable SSE/WebSocket/long-poll devices with a pattern, presence,
// receipts, consumer groups, API keys — runs over many channels with short retention; then time
// passes, and every key left in Redis is listed by pattern and counted by kind.

const SHORT = ['--retention-max-age-seconds', '2', '--membership-idle-seconds', '2', '--presence-ttl-seconds', '2'];
const ROUNDS = 3;
/** Finished maintenance jobs the worker keeps per kind (removeOnComplete and removeOnFail). */
const MAINTENANCE_KEPT = 10;

let redis: RedisServer;
let edges: EdgeProcess[];
let worker: ServiceProcess;

beforeAll(async () => {
  redis = await startRedisServer();
  edges = await Promise.all([0, 1].map(() => startEdge({ redisUrl: redis.url, args: [...SHORT, '--presence-refresh-seconds', '1'] })));
  worker = await startWorker({
    redisUrl: redis.url,
    args: [...SHORT, '--prune-interval-seconds', '1', '--jobs-reconcile-seconds', '1', '--receipts-ack-timeout-seconds', '1', '--receipts-max-retries', '1'],
  });
});

afterAll(async () => {
  await worker?.stop();
  await Promise.all((edges ?? []).map((edge) => edge.stop()));
  await redis?.stop();
});

async function call(edge: EdgeProcess, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${edge.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** One round of everything a cluster does, on channels of its own. */
async function busyRound(round: number): Promise<void> {
  const [a, b] = [edges[0]!, edges[1]!];
  const ch = (i: number) => `busy/${round}/${i}`;
  const sse = await SseClient.connect(`${a.url}/v1/sse?channel=${ch(0)}&channel=${ch(1)}&channel=never/${round}&device=sse-${round}&presence=1`);
  const ws = await WsClient.connect(`${wsUrl(b)}?device=ws-${round}`);
  ws.send({ type: 'subscribe', channel: ch(2), ref: 'exact' });
  ws.send({ type: 'subscribe', channel: `busy/${round}/#`, ref: 'pattern' });
  await ws.next((f) => f.ref === 'pattern' && f.type === 'subscribed');
  await call(a, 'PUT', `/v1/channels/${encodeURIComponent(ch(3))}/groups/billing`, { start: 'all' });
  const poll = fetch(`${b.url}/v1/poll?channel=${encodeURIComponent(ch(3))}&device=poll-${round}&timeout=1`);

  const acked: string[] = [];
  for (let i = 0; i < 4; i++) {
    for (let n = 0; n < 5; n++) {
      const published = await call(n % 2 ? a : b, 'POST', `/v1/channels/${encodeURIComponent(ch(i))}/events`, { data: n, ack: n === 0, idempotencyKey: `k-${round}-${i}-${n}` });
      if (n === 0) acked.push(String(published['id']));
    }
  }
  await sse.waitFor(10);
  await call(b, 'POST', `/v1/channels/${encodeURIComponent(ch(0))}/events/${acked[0]}/receipts`, { device: `sse-${round}`, status: 'received' });
  const claimed = (await call(a, 'POST', `/v1/channels/${encodeURIComponent(ch(3))}/groups/billing/claim`, { consumer: 'c1', count: 2 })) as { events: { id: string }[] };
  await call(a, 'POST', `/v1/channels/${encodeURIComponent(ch(3))}/groups/billing/acks`, { ids: claimed.events.map((e) => e.id) });
  await call(b, 'DELETE', `/v1/channels/${encodeURIComponent(ch(3))}/groups/billing`);
  const key = (await call(a, 'POST', '/v1/admin/keys', { name: `k${round}`, publish: ['busy/#'] })) as { id: string };
  await call(a, 'DELETE', `/v1/admin/keys/${key.id}`);
  await poll;
  sse.close();
  ws.close();
  await Promise.all([sse.closed, ws.closed]);
}

const redisCall = (command: string, ...args: string[]) => redisCommand(redis.port, command, args);
const count = async (command: string, key: string) => Number(await redisCall(command, key));

async function workerMetric(series: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(series));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Every key under the prefix, by what it is. Fails on a key of a kind nobody accounted for. */
async function census(): Promise<Map<string, string[]>> {
  const kinds = new Map<string, string[]>();
  const add = (kind: string, key: string) => kinds.set(kind, [...(kinds.get(kind) ?? []), key]);
  let cursor = '0';
  do {
    const [next, keys] = (await redisCall('SCAN', cursor, 'COUNT', '1000')) as [string, string[]];
    cursor = next;
    for (const key of keys) {
      const m =
        /^tidings:\{c:[^}]+\}:(log|meta|members|positions|presence|acks|owed|groups|rcpt|idem|dead)(?::.*)?$/.exec(key) ??
        /^tidings:\{d:[^}]+\}:(patterns|pattern)(?::.*)?$/.exec(key) ??
        /^tidings:\{(dir):\d+\}:channels$/.exec(key) ??
        /^tidings:\{(acks)\}:channels$/.exec(key) ??
        /^tidings:\{(nodes|apikeys)\}$/.exec(key) ??
        /^tidings:\{(rate):[^}]+\}$/.exec(key) ??
        /^tidings:\{(groups)\}:index$/.exec(key) ??
        /^tidings:\{(jobs)\}:/.exec(key);
      if (!m) throw new Error(`a key of no known kind: ${key}`);
      const scope = key.startsWith('tidings:{c:') ? 'channel ' : key.startsWith('tidings:{d:') ? 'device ' : '';
      add(scope + m[1], key);
    }
  } while (cursor !== '0');
  return kinds;
}

/** BullMQ job hashes (not the queue's own structures) per queue. */
async function jobHashes(keys: readonly string[]): Promise<Map<string, number>> {
  const perQueue = new Map<string, number>();
  for (const key of keys) {
    const queue = /^tidings:\{jobs\}:([^:]+):/.exec(key)?.[1];
    if (queue && (await redisCall('TYPE', key)) === 'hash' && Number(await redisCall('HEXISTS', key, 'opts')) === 1) {
      perQueue.set(queue, (perQueue.get(queue) ?? 0) + 1);
    }
  }
  return perQueue;
}

describe('keys in Redis after a busy mixed workload and some quiet time', () => {
  it('are bounded: every kind either expired, was pruned, or is capped', async () => {
    for (let round = 0; round < ROUNDS; round++) await busyRound(round);
    const busy = await census();
    expect(busy.get('channel log')?.length).toBeGreaterThanOrEqual(ROUNDS * 4); // the workload did write
    expect(busy.get('channel members')?.length).toBeGreaterThan(0);

    // Quiet time: long enough for the worker to have run its schedulers several times over the cap.
    await waitUntil(async () => (await workerMetric('tidings_worker_jobs_total{queue="maintenance",outcome="completed",')) >= 3 * MAINTENANCE_KEPT, 'maintenance jobs to pile up past the cap', 60_000, 250);
    const settled = async () => {
      const kinds = await census();
      const perChannel = [...kinds.keys()].some((kind) => kind.startsWith('channel ') || kind.startsWith('device '));
      const ackList = await Promise.all((kinds.get('acks') ?? []).map((key) => count('ZCARD', key)));
      return !perChannel && ackList.every((n) => n === 0);
    };
    await waitUntil(settled, 'channel and device keys and the reconciler\'s list to go', 60_000, 250).catch(async (error: Error) => {
      throw new Error(`${error.message}; left: ${JSON.stringify(Object.fromEntries(await census()))}`);
    });

    const quiet = await census();
    const left = (kind: string) => quiet.get(kind) ?? [];
    // Nothing of a channel or a device outlives retention, membership and presence once they are quiet…
    expect([...quiet.keys()].filter((kind) => kind.startsWith('channel ') || kind.startsWith('device '))).toEqual([]);
    // …nor in the cluster-wide indexes: the directory, the reconciler's list, revoked API keys, buckets.
    for (const key of left('dir')) expect(await count('ZCARD', key)).toBe(0);
    for (const key of left('acks')) expect(await count('ZCARD', key)).toBe(0);
    expect(left('apikeys')).toEqual([]);
    expect(left('rate')).toEqual([]);
    expect(await count('SCARD', 'tidings:{groups}:index')).toBe(0);
    // Node reports: one per live edge.
    expect(await count('HLEN', 'tidings:{nodes}')).toBe(edges.length);
    // Jobs: no receipt job left, and the maintenance queue keeps at most its cap per outcome, plus one scheduled per scheduler.
    const jobs = await jobHashes(left('jobs'));
    expect(jobs.get('receipts') ?? 0).toBe(0);
    expect(jobs.get('maintenance') ?? 0).toBeLessThanOrEqual(2 * MAINTENANCE_KEPT + 3);
  }, 180_000);
});
