import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort, SseClient, waitUntil, WsClient } from '@tidings/testing';
import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// testcontainers runs with its reaper off and the host as 127.0.0.1 (deploy/vitest.config.ts).
const DOCKER_DIR = fileURLToPath(new URL('../docker/', import.meta.url));
const VERSION = (JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string }).version;
const IMAGE = `tidings:${VERSION}`;
const REDIS_IMAGE = 'tidings-test-redis:bookworm';
const SESSIONS_ON_DRAINED_EDGE = 10;

/** testcontainers has no switch for a read-only root filesystem; the image must run on one. */
class ReadOnlyRootContainer extends GenericContainer {
  withReadOnlyRoot(): this {
    this.hostConfig.ReadonlyRootfs = true;
    return this;
  }
}

interface Edge {
  readonly container: StartedTestContainer;
  readonly url: string;
  readonly opsUrl: string;
}

const started: StartedTestContainer[] = [];
let redisUrl: string;
let a: Edge;
let b: Edge;
let worker: StartedTestContainer;
let workerUrl: string;

function sh(script: string, ...args: string[]): void {
  const run = spawnSync(`${DOCKER_DIR}${script}`, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`${script} failed (${run.status}):\n${run.stderr}`);
}

async function startEdge(node: string): Promise<Edge> {
  const [port, opsPort] = [await freePort(), await freePort()];
  const container = await new ReadOnlyRootContainer(IMAGE)
    .withReadOnlyRoot()
    .withNetworkMode('host')
    .withEnvironment({ HEALTHCHECK_URL: `http://127.0.0.1:${port}/healthz` })
    .withCommand([
      'edge', '--host', '127.0.0.1', '--port', String(port), '--metrics-host', '127.0.0.1', '--metrics-port', String(opsPort),
      '--redis', redisUrl, '--allow-anonymous', '--node-id', node,
      '--shutdown-grace-seconds', '8', '--shutdown-close-batch-size', '1',
    ])
    .withWaitStrategy(Wait.forLogMessage(/"msg":"listening"/))
    .start();
  started.push(container);
  return { container, url: `http://127.0.0.1:${port}`, opsUrl: `http://127.0.0.1:${opsPort}` };
}

beforeAll(async () => {
  sh('ensure-docker.sh');
  // The base image is built once and kept; the rest comes from Docker's layer cache when unchanged.
  sh('build-images.sh', IMAGE, REDIS_IMAGE);
  const redisPort = await freePort();
  const redis = await new GenericContainer(REDIS_IMAGE)
    .withNetworkMode('host')
    .withCommand(['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'])
    .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
    .start();
  started.push(redis);
  redisUrl = `redis://127.0.0.1:${redisPort}`;
  [a, b] = await Promise.all([startEdge('container-edge-a'), startEdge('container-edge-b')]);
  const metricsPort = await freePort();
  worker = await new ReadOnlyRootContainer(IMAGE)
    .withReadOnlyRoot()
    .withNetworkMode('host')
    .withEnvironment({ HEALTHCHECK_URL: `http://127.0.0.1:${metricsPort}/healthz` })
    .withCommand([
      'worker', '--redis', redisUrl, '--metrics-host', '127.0.0.1', '--metrics-port', String(metricsPort), '--worker-id', 'container-worker',
      '--receipts-ack-timeout-seconds', '1', '--receipts-max-retries', '3', '--receipts-backoff-base-seconds', '1', '--receipts-backoff-max-seconds', '2',
      '--receipts-deadline-seconds', '60', '--jobs-reconcile-seconds', '1',
    ])
    .withWaitStrategy(Wait.forLogMessage(/"msg":"working"/))
    .start();
  started.push(worker);
  workerUrl = `http://127.0.0.1:${metricsPort}`;
}, 900_000);

afterAll(async () => {
  // No reaper: every container this file started is removed here, whatever happened.
  await Promise.all(started.map((c) => c.stop({ timeout: 10_000 }).catch(() => undefined)));
  // The drained edge was stopped and kept for inspection: remove whatever is left.
  spawnSync('docker', ['rm', '--force', ...started.map((c) => c.getId())], { stdio: 'ignore' });
});

const publish = async (edge: Edge, channel: string, body: Record<string, unknown>): Promise<string> => {
  const res = await fetch(`${edge.url}/v1/channels/${encodeURIComponent(channel)}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
};

describe('the image, run as containers with testcontainers', () => {
  it('runs every process as a non-root user on a read-only root filesystem, and reports healthy', async () => {
    for (const container of [a.container, b.container, worker]) {
      const { output, exitCode } = await container.exec(['node', '-e', 'process.stdout.write(String(process.getuid()))']);
      expect(exitCode).toBe(0);
      expect(output.trim()).toBe('10001');
      const write = await container.exec(['node', '-e', 'require("fs").writeFileSync("/app/x", "")']);
      expect(write.exitCode).not.toBe(0);
      await waitUntil(() => inspect(container.getId()).State.Health?.Status === 'healthy', 'the HEALTHCHECK to pass', 60_000);
    }
  });

  it('delivers what one edge container publishes to SSE and WebSocket subscribers on the other', async () => {
    const channel = 'containers/news';
    const sse = await SseClient.connect(`${b.url}/v1/sse?channel=${encodeURIComponent(channel)}`);
    const ws = await WsClient.connect(`${b.url.replace('http', 'ws')}/v1/ws`);
    ws.send({ type: 'subscribe', channel });
    await ws.next((f) => f.type === 'subscribed');
    const id = await publish(a, channel, { event: 'headline', data: { n: 1 } });
    expect(JSON.parse((await sse.nextEvent()).data)).toMatchObject({ id, data: { n: 1 } });
    expect(await ws.next((f) => f.type === 'event')).toMatchObject({ channel, id, event: 'headline', data: { n: 1 } });
    sse.close();
    ws.close();
  });

  it('has the worker container retry a receipt a device did not send, until it does', async () => {
    const channel = 'containers/orders';
    const device = await SseClient.connect(`${b.url}/v1/sse?channel=${encodeURIComponent(channel)}&device=slow-phone`);
    const id = await publish(a, channel, { data: 'confirm me', ack: true });
    await device.nextEvent();
    const retry = await device.nextEvent((e) => (JSON.parse(e.data) as { redelivery?: boolean }).redelivery === true, 30_000);
    expect(JSON.parse(retry.data)).toMatchObject({ id, redelivery: true });
    const acked = await fetch(`${a.url}/v1/channels/${encodeURIComponent(channel)}/events/${id}/receipts`, { method: 'POST', body: JSON.stringify({ device: 'slow-phone', status: 'processed' }) });
    expect(acked.status).toBe(200);
    const metrics = await (await fetch(`${workerUrl}/metrics`)).text();
    expect(metrics).toMatch(/^tidings_worker_redeliveries_total\{worker="container-worker"\} [1-9]/m);
    device.close();
  });

  it('drains an edge on docker stop: readiness turns 503, clients are told to come back and resume on the other edge', async () => {
    const channel = 'containers/drain';
    const sessions = await Promise.all(Array.from({ length: SESSIONS_ON_DRAINED_EDGE }, () => SseClient.connect(`${b.url}/v1/sse?channel=${encodeURIComponent(channel)}`)));
    const before = await publish(a, channel, { data: 'before' });
    for (const s of sessions) await s.nextEvent();
    const resumeFrom = sessions[0]!.lastEventId!;

    // Watch /readyz on the ops port (which stays up to the end of the drain) while Docker sends SIGTERM.
    const seen: number[] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) seen.push(await fetch(`${b.opsUrl}/readyz`).then((r) => r.status, () => 0));
    })();
    const stopped = b.container.stop({ timeout: 20_000, remove: false });
    await Promise.all(sessions.map((s) => s.closed));
    await stopped;
    watching = false;
    await watch;
    expect(seen[0]).toBe(200);
    expect(seen).toContain(503);
    expect(inspect(b.container.getId()).State.ExitCode).toBe(0);
    // Each stream was ended by the edge with a retry: delay for its reconnect, spread over the drain.
    for (const s of sessions) expect(s.retryMs).toBeLessThanOrEqual(250 + 2000);

    const after = await publish(a, channel, { data: 'after' });
    const resumed = await SseClient.connect(`${a.url}/v1/sse?channel=${encodeURIComponent(channel)}`, { headers: { 'last-event-id': resumeFrom } });
    expect(JSON.parse((await resumed.nextEvent()).data)).toMatchObject({ id: after });
    expect(after).not.toBe(before);
    resumed.close();
  });
});

function inspect(id: string): { State: { ExitCode: number; Health?: { Status: string } } } {
  const run = spawnSync('docker', ['inspect', id], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`docker inspect ${id}: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { State: { ExitCode: number; Health?: { Status: string } } }[])[0]!;
}
