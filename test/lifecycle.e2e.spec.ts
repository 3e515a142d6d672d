import { type RedisServer, SseClient, startEdge, useOrStartRedis, waitUntil, WsClient } from '@tidings/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publish, wsUrl } from './support.js';

let redis: RedisServer;

beforeAll(async () => {
  redis = await useOrStartRedis();
});

afterAll(async () => {
  await redis.stop();
});

describe('start-up checks and graceful shutdown', () => {
  it('tells SSE clients to come back soon, closes WebSockets with 1001, and exits 0', async () => {
    const edge = await startEdge({ redisUrl: redis.url, args: ['--sse-retry-ms', '60000'] });
    const sse = await SseClient.connect(`${edge.url}/v1/sse?channel=bye`);
    const ws = await WsClient.connect(wsUrl(edge));
    ws.send({ type: 'subscribe', channel: 'bye' });
    await ws.next((f) => f.type === 'subscribed');
    await publish(edge, 'bye', 'last words');
    await sse.waitFor(1);
    expect(sse.retryMs).toBe(60000);
    await edge.stop();
    await sse.closed;
    expect(sse.retryMs).toBeLessThan(60000); // the drain hands out a short, jittered delay
    expect((await ws.closed).code).toBe(1001);
    expect(await edge.exited).toBe(0);
  });

  it('keeps draining when the signal comes again (a process-group signal a parent also forwards), and exits 0', async () => {
    // One session per batch, 100 ms apart: the drain lasts about two seconds.
    const edge = await startEdge({ redisUrl: redis.url, args: ['--shutdown-close-batch-size', '1'] });
    const clients = await Promise.all(Array.from({ length: 20 }, () => SseClient.connect(`${edge.url}/v1/sse?channel=twice`)));
    process.kill(edge.pid, 'SIGTERM');
    await waitUntil(() => edge.logs.some((line) => line.includes('"draining"')), 'the edge to start draining');
    process.kill(edge.pid, 'SIGTERM');
    await Promise.all(clients.map((client) => client.closed));
    expect(await edge.exited).toBe(0);
  });

  it('refuses to start without authentication unless anonymous mode is chosen', async () => {
    const { spawnSync } = await import('node:child_process');
    const main = new URL('../services/edge/dist/main.js', import.meta.url).pathname;
    const run = spawnSync(process.execPath, [main, '--port', '0', '--redis', redis.url], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--allow-anonymous/);
  });

  it('refuses to run on the slow pure-JS uWebSockets.js fallback unless explicitly allowed', async () => {
    const { spawnSync } = await import('node:child_process');
    const main = new URL('../services/edge/dist/main.js', import.meta.url).pathname;
    const env = { ...process.env, UWS_USE_FALLBACK: '1' }; // makes the package load its JS imitation
    const refused = spawnSync(process.execPath, [main, '--port', '0', '--redis', redis.url, '--allow-anonymous'], { encoding: 'utf8', env });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/pure-JS imitation.*--allow-js-fallback/s);
    // Allowed, it starts; the imitation in this package version cannot parse a query string, so
    // every request fails — as a JSON 500, again and again, without taking the process down.
    const allowed = await startEdge({ redisUrl: redis.url, env: { UWS_USE_FALLBACK: '1' }, args: ['--allow-js-fallback'] });
    for (let i = 0; i < 3; i++) {
      const answer = await fetch(`${allowed.url}/healthz`);
      expect(answer.status).toBe(500);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('TIDINGS_INTERNAL');
    }
    await allowed.stop();
    expect(await allowed.exited).toBe(0);
  });

  it('refuses invalid configuration, listing every problem', async () => {
    const { spawnSync } = await import('node:child_process');
    const main = new URL('../services/edge/dist/main.js', import.meta.url).pathname;
    const run = spawnSync(process.execPath, [main, '--port', 'abc', '--redis', 'http://x', '--allow-anonymous'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--port/);
    expect(run.stderr).toMatch(/--redis/);
  });
});
