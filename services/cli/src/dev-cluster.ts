import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, type DevConfig, loadDevConfig, loadEdgeConfig } from '@tidings/config';
import { MemoryApiKeyStore, MemoryConsumerGroups, MemoryDeviceStore, MemoryEventLog, MemoryNodeRegistry, MemoryPresenceStore, MemoryRateLimiter, MemoryReceiptStore } from '@tidings/core';
import { createMemoryEngine, deviceLimits, startEdge } from '@tidings/edge';
import { createLogger, createMetrics } from '@tidings/observability';

const EDGE_MAIN = fileURLToPath(new URL('../../edge/dist/main.js', import.meta.url));
const WORKER_MAIN = fileURLToPath(new URL('../../worker/dist/main.js', import.meta.url));
/** Quick retries, so the demo shows a silent device turning dead in about 20 seconds. */
const DEMO_RETRY_POLICY = [
  '--receipts-ack-timeout-seconds', '5',
  '--receipts-max-retries', '3',
  '--receipts-backoff-base-seconds', '2',
  '--receipts-backoff-max-seconds', '8',
];
const CLOCK_CHANNEL = 'demo/clock';

/** What `tidings dev` runs: resolves with the exit code once everything has stopped. */
interface DevCluster {
  readonly description: string;
  readonly stopped: Promise<number>;
  stop(): void;
}

/**
 * `tidings dev` / `npm start`: a whole cluster on this machine. With no Redis given it starts its
 * own redis-server (from PATH) on a free port and N edge processes on consecutive ports; without
 * redis-server it runs the edges in this process over an in-memory log. Either way a clock
 * publishes to demo/clock every second for the demo page. Ctrl-C stops all of it.
 */
export async function runDev(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  let config: DevConfig;
  try {
    config = loadDevConfig(argv, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`tidings dev: invalid configuration\n${error.message}\n`);
    return 2;
  }
  const ports = Array.from({ length: config.edges }, (_, i) => config.port + i);
  const urls = ports.map((port) => `http://localhost:${port}`);
  const hasRedisServer = !spawnSync('redis-server', ['--version']).error;
  if (!config.redis && config.engine === 'redis' && !hasRedisServer) {
    process.stderr.write('tidings dev: --engine redis needs redis-server on PATH (Debian/Ubuntu: apt-get install redis-server), or pass --redis URL.\n');
    return 1;
  }
  const inProcess = !config.redis && (config.engine === 'memory' || (config.engine === 'auto' && !hasRedisServer));
  const cluster = inProcess ? await startInProcess(ports, hasRedisServer ? 'Chosen with --engine memory' : 'No redis-server on PATH') : await startProcesses(config, ports);

  // A signal to the whole process group (Ctrl-C, timeout, systemd) arrives twice, also forwarded by
  // npm: the first stops the cluster, the rest must not end this process before its redis-server.
  let stopping = false;
  const stopOnce = () => {
    if (stopping) return;
    stopping = true;
    cluster.stop();
  };
  process.on('SIGINT', stopOnce);
  process.on('SIGTERM', stopOnce);
  let clock: NodeJS.Timeout | undefined;
  if (await waitForReady(urls)) {
    process.stdout.write(
      `${cluster.description}\n\nTidings dev cluster is up: ${config.edges} edge node(s)\n${urls.map((u, i) => `  ${u}   (dev-${i + 1})`).join('\n')}\n\n` +
        `Open ${urls[0]} for the demo page, ${urls[0]}/console for the console. Try:\n` +
        `  curl -d hi ${urls[0]}/v1/channels/demo/events\n` +
        `  curl -N '${urls[urls.length - 1]}/v1/sse?channel=demo/%23'\n\nCtrl-C stops everything.\n`,
    );
    clock = setInterval(() => void tick(urls[0]!), 1000);
  } else {
    process.stderr.write('tidings dev: the edges did not become ready; stopping\n');
    cluster.stop();
  }
  const code = await cluster.stopped;
  clearInterval(clock);
  return code;
}

/** Edges as child processes over a Redis: the given one, or a private redis-server. */
async function startProcesses(config: DevConfig, ports: readonly number[]): Promise<DevCluster> {
  const children: ChildProcess[] = [];
  let redisUrl: string;
  let description: string;
  let store: { child: ChildProcess; dir: string } | undefined;
  if (config.redis) {
    redisUrl = config.redis.kind === 'standalone' ? config.redis.url : `redis-cluster://${config.redis.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
    description = 'Using the Redis you gave.';
  } else {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'tidings-dev-redis-'));
    // Its own process group, so Ctrl-C in the terminal does not stop it under the draining
    // edges; it is stopped last, once they have gone (and with this process, whatever happens).
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: 'ignore',
      detached: true,
    });
    process.once('exit', () => child.kill('SIGTERM'));
    store = { child, dir };
    redisUrl = `redis://127.0.0.1:${port}`;
    description = `Embedded engine: a private redis-server on ${redisUrl} (in memory; stops with this command).`;
  }
  for (const [i, port] of ports.entries()) {
    const args = [EDGE_MAIN, '--port', String(port), '--redis', redisUrl, '--allow-anonymous', '--node-id', `dev-${i + 1}`, '--log-level', 'warn'];
    children.push(spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] }));
  }
  for (let i = 0; i < config.workers; i++) {
    const args = [WORKER_MAIN, '--redis', redisUrl, '--worker-id', `dev-worker-${i + 1}`, '--metrics-port', '0', '--log-level', 'warn', ...DEMO_RETRY_POLICY];
    children.push(spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] }));
  }
  if (config.workers > 0) description += `\n${config.workers} worker(s) retry unanswered ack events: first after 5 s, 3 retries, then dead.`;
  let stopping = false;
  const stop = () => {
    stopping = true;
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  const exitOf = (child: ChildProcess) =>
    new Promise<boolean>((resolve) =>
      child.once('exit', (code) => {
        if (!stopping) {
          process.stderr.write(`tidings dev: a process exited unexpectedly (code ${code}); stopping everything\n`);
          stop();
        }
        resolve(code === 0 || code === null);
      }),
    );
  const storeExit = store ? exitOf(store.child) : Promise.resolve(true);
  const stopped = Promise.all(children.map(exitOf)).then(async (clean) => {
    if (store) {
      store.child.kill('SIGTERM');
      clean.push(await storeExit);
      rmSync(store.dir, { recursive: true, force: true });
    }
    return clean.every(Boolean) && stopping ? 0 : 1;
  });
  return { description, stopped, stop };
}

/** Edges in this process over one in-memory log: for machines without redis-server. `why` opens the description. */
async function startInProcess(ports: readonly number[], why: string): Promise<DevCluster> {
  const configs = ports.map((port, i) => loadEdgeConfig(['--port', String(port), '--allow-anonymous', '--node-id', `dev-${i + 1}`, '--log-level', 'warn'], {}));
  const devices: MemoryDeviceStore = new MemoryDeviceStore({
    ...deviceLimits(configs[0]!),
    newestId: (channel) => log.newestId(channel),
    logNow: () => log.clock(),
    now: Date.now,
  });
  const receipts = new MemoryReceiptStore(devices);
  const presence = new MemoryPresenceStore(configs[0]!.presence.ttlSeconds * 1000);
  const nodes = new MemoryNodeRegistry(configs[0]!.presence.ttlSeconds * 1000);
  const { maxLength, maxAgeSeconds } = configs[0]!.retention;
  const log = new MemoryEventLog({ maxLength, maxAgeMs: maxAgeSeconds * 1000, now: Date.now, receipts });
  const { publishRatePerSecond, publishBurst } = configs[0]!.limits;
  const shared = {
    log,
    devices,
    groups: new MemoryConsumerGroups(log),
    receipts,
    presence,
    nodes,
    apiKeys: new MemoryApiKeyStore(),
    rateLimiter: new MemoryRateLimiter(publishRatePerSecond, publishBurst),
  };
  const edges = await Promise.all(
    configs.map((config) => {
      const logger = createLogger({ level: config.logLevel, name: 'edge', nodeId: config.nodeId });
      return startEdge(config, logger, createMetrics(config.nodeId), createMemoryEngine(shared));
    }),
  );
  let finish!: (code: number) => void;
  const stopped = new Promise<number>((resolve) => (finish = resolve));
  return {
    description:
      `${why}: running the in-process engine (all edges in this process, events in memory only, nothing persists;\n` +
      'no worker either, so unanswered ack events stay pending).\n' +
      'Install redis-server (apt-get install redis-server) for the real thing.',
    stopped,
    stop: () => void Promise.all(edges.map((edge) => edge.stop())).then(() => finish(0), () => finish(1)),
  };
}

async function tick(url: string): Promise<void> {
  try {
    await fetch(`${url}/v1/channels/${encodeURIComponent(CLOCK_CHANNEL)}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'tick', data: { time: new Date().toISOString() } }),
    });
  } catch {
    // The edge is restarting or stopping; the next tick tries again.
  }
}

async function waitForReady(urls: readonly string[]): Promise<boolean> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const ok = await Promise.all(urls.map((u) => fetch(`${u}/readyz`).then((r) => r.ok, () => false)));
    if (ok.every(Boolean)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
