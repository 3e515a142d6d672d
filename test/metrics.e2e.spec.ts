import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type EdgeProcess, freePort, type ServiceProcess, SseClient, startEdge, startWorker, waitUntil } from '@tidings/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgesOnRedis, publish } from './support.js';

// Edge 0 keeps /metrics off its public port and serves it on a port of its own; edge 1 keeps the
// defaults (public route on, no ops listener). The worker's webhook always fails.
const opsPort = await freePort();
const cluster = edgesOnRedis(2, (i) => (i === 0 ? ['--metrics-port', String(opsPort), '--metrics-host', '127.0.0.1', '--metrics-public-route', 'off', '--retention-max-length', '20', '--presence-refresh-seconds', '1'] : []));
const opsUrl = `http://127.0.0.1:${opsPort}`;

let webhook: Server;
let worker: ServiceProcess;

beforeAll(async () => {
  webhook = createServer((_req, res) => res.writeHead(500).end());
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const webhookUrl = `http://127.0.0.1:${(webhook.address() as { port: number }).port}/dead-letters`;
  worker = await startWorker({
    redisUrl: cluster.redis.url,
    args: [
      '--receipts-ack-timeout-seconds', '1',
      '--receipts-max-retries', '0',
      '--receipts-deadline-seconds', '2',
      '--jobs-reconcile-seconds', '1',
      '--webhook-secret', 'a-webhook-secret-for-tests',
      '--webhook-url', webhookUrl,
    ],
  });
});

afterAll(async () => {
  await worker?.stop();
  await new Promise((resolve) => webhook?.close(resolve));
});

const scrape = async (url: string): Promise<string> => {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
};

/** The sum of every series of `name` whose labels include all of `labels`. */
function valueOf(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = match[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => present.includes(`${k}="${v}"`))) sum += Number(match[3]);
  }
  return sum;
}

/** What `promtool check metrics` (Debian's prometheus package) says about an exposition: empty when it is clean. */
function promtoolProblems(text: string): string {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (run.error) throw run.error;
  return `${run.stdout}${run.stderr}`.trim();
}

describe('metrics on a separate ops listener', () => {
  it('serves /metrics, /healthz and /readyz on --metrics-port and leaves the public /metrics off when asked', async () => {
    const [quiet, open] = cluster.edges as [EdgeProcess, EdgeProcess];
    expect(valueOf(await scrape(opsUrl), 'tidings_edge_connections', { transport: 'sse' })).toBe(0);
    expect((await fetch(`${opsUrl}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${opsUrl}/readyz`)).json()).toMatchObject({ ready: true, draining: false, store: true });
    const hidden = await fetch(`${quiet.url}/metrics`);
    expect(hidden.status).toBe(404);
    expect(await hidden.json()).toMatchObject({ error: { code: 'TIDINGS_NOT_FOUND' } });
    expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
    const refused = await fetch(`${opsUrl}/metrics`, { method: 'POST' });
    expect(refused.status).toBe(405);
  });

  it('passes promtool check metrics on a live scrape of an edge and of the worker', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const sse = await SseClient.connect(`${edge.url}/v1/sse?channel=metrics/lint`);
    await publish(edge, 'metrics/lint', 1);
    await sse.waitFor(1);
    expect(promtoolProblems(await scrape(opsUrl))).toBe('');
    expect(promtoolProblems(await scrape(`http://127.0.0.1:${worker.port}`))).toBe('');
    sse.close();
  });

  it('samples the Redis round trip on edges and workers', async () => {
    for (const url of [opsUrl, `http://127.0.0.1:${worker.port}`]) {
      await waitUntil(async () => valueOf(await scrape(url), 'tidings_redis_ping_duration_seconds_count') > 0, `a Redis ping sample from ${url}`);
    }
  });
});

describe('what the edge counts', () => {
  it('counts a waiting long-poll as a poll connection until it is answered', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const polling = fetch(`${edge.url}/v1/poll?channel=metrics/poll&timeout=30`);
    await waitUntil(async () => valueOf(await scrape(opsUrl), 'tidings_edge_connections', { transport: 'poll' }) === 1, 'the poll to count');
    expect(valueOf(await scrape(opsUrl), 'tidings_edge_subscriptions')).toBeGreaterThanOrEqual(0);
    await publish(edge, 'metrics/poll', 'wake');
    expect(((await (await polling).json()) as { events: unknown[] }).events).toHaveLength(1);
    await waitUntil(async () => valueOf(await scrape(opsUrl), 'tidings_edge_connections', { transport: 'poll' }) === 0, 'the poll to be uncounted');
    expect(valueOf(await scrape(opsUrl), 'tidings_edge_delivered_events_total', { transport: 'poll' })).toBe(1);
  });

  it('uncounts a long-poll whose client went away', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const abort = new AbortController();
    const polling = fetch(`${edge.url}/v1/poll?channel=metrics/abandoned&timeout=30`, { signal: abort.signal }).catch(() => 'aborted');
    await waitUntil(async () => valueOf(await scrape(opsUrl), 'tidings_edge_connections', { transport: 'poll' }) === 1, 'the poll to count');
    abort.abort();
    expect(await polling).toBe('aborted');
    await waitUntil(async () => valueOf(await scrape(opsUrl), 'tidings_edge_connections', { transport: 'poll' }) === 0, 'the abandoned poll to be uncounted');
  });

  it('counts the resets a long-poll answer carries', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const before = valueOf(await scrape(opsUrl), 'tidings_edge_resets_total', { reason: 'retention' });
    const start = (await (await fetch(`${edge.url}/v1/poll?channel=metrics/trimmed&timeout=0`)).json()) as { cursor: string };
    const first = (await (await fetch(`${edge.url}/v1/poll?channel=metrics/trimmed&since=${start.cursor}&timeout=0`)).json()) as { cursor: string };
    await publish(edge, 'metrics/trimmed', 'first');
    const seen = (await (await fetch(`${edge.url}/v1/poll?channel=metrics/trimmed&since=${first.cursor}&timeout=5`)).json()) as { cursor: string };
    for (let i = 0; i < 120; i++) await publish(edge, 'metrics/trimmed', i);
    const late = (await (await fetch(`${edge.url}/v1/poll?channel=metrics/trimmed&since=${seen.cursor}&timeout=0`)).json()) as { resets: unknown[] };
    expect(late.resets).toHaveLength(1);
    expect(valueOf(await scrape(opsUrl), 'tidings_edge_resets_total', { reason: 'retention' })).toBe(before + 1);
  });

  it('samples publish-to-write delivery latency, one observation per fan-out pass', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const before = valueOf(await scrape(opsUrl), 'tidings_edge_delivery_latency_seconds_count');
    const sse = await SseClient.connect(`${edge.url}/v1/sse?channel=metrics/latency`);
    await publish(edge, 'metrics/latency', 'timed');
    await sse.waitFor(1);
    await waitUntil(async () => valueOf(await scrape(opsUrl), 'tidings_edge_delivery_latency_seconds_count') > before, 'a latency sample');
    const text = await scrape(opsUrl);
    expect(valueOf(text, 'tidings_edge_delivery_latency_seconds_bucket', { le: '+Inf' })).toBe(valueOf(text, 'tidings_edge_delivery_latency_seconds_count'));
    sse.close();
  });

  it('reports how many devices are online on the node, once per channel', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const phone = await SseClient.connect(`${edge.url}/v1/sse?channel=metrics/p1&channel=metrics/p2&device=phone`);
    await waitUntil(async () => valueOf(await scrape(opsUrl), 'tidings_edge_presence_entries') === 2, 'the device on two channels to be reported');
    phone.close();
    await waitUntil(async () => valueOf(await scrape(opsUrl), 'tidings_edge_presence_entries') === 0, 'the device to be gone');
  });

  it('counts subscriptions that resume from a cursor', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const first = await SseClient.connect(`${edge.url}/v1/sse?channel=metrics/resume`);
    await publish(edge, 'metrics/resume', 'one');
    await first.waitFor(1);
    first.close();
    expect(valueOf(await scrape(opsUrl), 'tidings_edge_resumes_total', { transport: 'sse' })).toBe(0);
    const again = await SseClient.connect(`${edge.url}/v1/sse?channel=metrics/resume`, { headers: { 'last-event-id': first.lastEventId! } });
    expect(valueOf(await scrape(opsUrl), 'tidings_edge_resumes_total', { transport: 'sse' })).toBe(1);
    again.close();
  });
});

describe('what the worker counts', () => {
  it('counts failed dead-letter webhook calls', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const silent = await SseClient.connect(`${edge.url}/v1/sse?channel=metrics/dead&device=silent`);
    const answering = await SseClient.connect(`${edge.url}/v1/sse?channel=metrics/dead&device=answering`);
    const res = await fetch(`${edge.url}/v1/channels/metrics%2Fdead/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: 'never answered', ack: true }),
    });
    expect(res.status).toBe(201);
    await silent.waitFor(1);
    const { id } = (await res.json()) as { id: string };
    await answering.waitFor(1);
    const receipt = await fetch(`${edge.url}/v1/channels/metrics%2Fdead/events/${id}/receipts`, { method: 'POST', body: JSON.stringify({ device: 'answering', status: 'processed' }) });
    expect(receipt.status).toBe(200);
    expect(valueOf(await scrape(opsUrl), 'tidings_edge_receipts_total', { status: 'processed', transport: 'http' })).toBe(1);
    const workerUrl = `http://127.0.0.1:${worker.port}`;
    await waitUntil(async () => valueOf(await scrape(workerUrl), 'tidings_worker_dead_letters_total', { outcome: 'failed' }) >= 1, 'a failed webhook call to be counted');
    const text = await scrape(workerUrl);
    expect(valueOf(text, 'tidings_worker_dead_letters_total', { outcome: 'sent' })).toBe(0);
    for (const queue of ['receipts', 'deadletters', 'maintenance']) {
      for (const state of ['waiting', 'delayed', 'active', 'failed']) expect(text).toMatch(new RegExp(`^tidings_worker_queue_jobs\\{queue="${queue}",state="${state}",worker="[^"]+"\\} \\d+$`, 'm'));
    }
    silent.close();
    answering.close();
  });
});

/** The metric families an exposition declares, less prom-client's process and Node.js defaults. */
const familiesOf = (text: string): string[] =>
  [...text.matchAll(/^# TYPE (tidings_\w+) /gm)].map((match) => match[1]!).filter((name) => !/^tidings_(process|nodejs)_/.test(name));

describe('an edge group with an ops listener', () => {
  let group: EdgeProcess | undefined;
  let groupUrl = '';
  afterAll(async () => group?.stop());

  it('answers one scrape of --metrics-port with every member of --processes N', async () => {
    const port = await freePort();
    group = await startEdge({ redisUrl: cluster.redis.url, args: ['--processes', '2', '--node-id', 'ops-group', '--metrics-port', String(port), '--metrics-host', '127.0.0.1'] });
    const url = (groupUrl = `http://127.0.0.1:${port}`);
    await waitUntil(async () => (await fetch(`${url}/readyz`)).status === 200, 'the group to be ready');
    const text = await scrape(url);
    for (const node of ['ops-group-1', 'ops-group-2']) expect(text).toContain(`tidings_edge_connections{transport="sse",node="${node}"} 0`);
    expect(valueOf(text, 'tidings_edge_group_processes')).toBe(2);
    expect(promtoolProblems(text)).toBe('');
  });

  it('exposes exactly the metrics docs/metrics.md describes, edges, group and worker together', async () => {
    const documented = [...readFileSync(new URL('../docs/metrics.md', import.meta.url), 'utf8').matchAll(/^\| `(tidings_\w+)` \|/gm)].map((match) => match[1]!);
    const exposed = new Set([...familiesOf(await scrape(groupUrl)), ...familiesOf(await scrape(`http://127.0.0.1:${worker.port}`))]);
    expect([...exposed].sort()).toEqual([...new Set(documented)].sort());
  });
});
