import { Agent, request } from 'node:http';
import { type RedisServer, SseClient, startEdge, startRedisServer, startWorker, waitUntil } from '@tidings/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Promises the README makes to operators: what the probes answer, and what an evicting Redis
// gets from each service.

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await redis.stop();
});

/** GET over one kept-alive connection: the only way to reach a node whose listen socket is closed (draining). */
function getOn(agent: Agent, port: number, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('edge readiness', () => {
  it('answers /readyz 503 (draining) on open connections while SIGTERM drains the node', async () => {
    // Closing one session per batch spreads the drain out, so it is still going on when we ask.
    const edge = await startEdge({ redisUrl: redis.url, args: ['--shutdown-close-batch-size', '1'] });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    await waitUntil(async () => (await getOn(agent, edge.port, '/readyz')).status === 200, 'the edge to reach Redis');
    expect((await getOn(agent, edge.port, '/readyz')).body).toMatchObject({ ready: true, draining: false });
    const streams = await Promise.all(Array.from({ length: 20 }, () => SseClient.connect(`${edge.url}/v1/sse?channel=drain`)));
    let stillOpen = true;
    void Promise.all(streams.map((s) => s.closed)).then(() => (stillOpen = false));

    process.kill(edge.pid, 'SIGTERM');
    let answer = await getOn(agent, edge.port, '/readyz');
    await waitUntil(async () => (answer = await getOn(agent, edge.port, '/readyz')).status === 503, 'the node to report draining');
    expect(answer.body).toMatchObject({ ready: false, draining: true });
    expect(stillOpen).toBe(true); // asked during the drain, not after it
    expect((await getOn(agent, edge.port, '/healthz')).status).toBe(200); // alive, just not taking new work
    agent.destroy();
    expect(await edge.exited).toBe(0);
  });
});

describe('worker probes', () => {
  it('serves /healthz and /readyz, and turns not ready while its Redis is gone', async () => {
    const own = await startRedisServer();
    const worker = await startWorker({ redisUrl: own.url });
    const base = `http://127.0.0.1:${worker.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ ready: true, status: 'ready' });
    own.kill9();
    await waitUntil(async () => (await fetch(`${base}/readyz`)).status === 503, 'the worker to notice Redis is gone');
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ ready: false, status: 'not ready' });
    expect((await fetch(`${base}/healthz`)).status).toBe(200); // not ready is not dead: no restart loop
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    worker.kill9();
    await own.stop();
  });
});

describe('an evicting Redis', () => {
  it('makes the edge warn at start and the worker refuse to start, unless --allow-eviction', async () => {
    const evicting = await startRedisServer({ args: ['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru'] });
    const edge = await startEdge({ redisUrl: evicting.url });
    // The edge starts whether or not Redis answers yet, so the warning follows the ready line.
    await waitUntil(() => edge.logs.some((line) => line.includes('maxmemory-policy is not noeviction')), 'the edge to warn');
    await edge.stop();

    const refused = await startWorker({ redisUrl: evicting.url }).then(
      () => undefined,
      (error: unknown) => String(error),
    );
    expect(refused).toMatch(/maxmemory-policy is allkeys-lru.*--allow-eviction/s);

    const allowed = await startWorker({ redisUrl: evicting.url, args: ['--allow-eviction'] });
    expect((await fetch(`http://127.0.0.1:${allowed.port}/readyz`)).status).toBe(200);
    await allowed.stop();
    await evicting.stop();
  });
});
