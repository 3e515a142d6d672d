// soketi (the Pusher-protocol server, uWebSockets.js + Node) as a peer: one or more nodes on free
// loopback ports, joined by its Redis adapter on the bench's own redis-server. Its UDP cluster
// discovery always starts, so it is pinned to 127.0.0.1 on a free port, broadcasting on loopback
// only (the bind address has no environment variable: it goes in a config file), and its metrics
// server too. Each node runs in a private directory (soketi reads a .env from its working
// directory). Subscribers speak the Pusher protocol over a WebSocket.
import { type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, isRunning, makeTempDir, removeTempDir, spawnTracked, startRedisServer, stopProcess } from '@tidings/testing';
import { runMarkEnv } from '../suite/run-watchdog.js';
import { ensurePeerPackages, peerVersion, resolvePeer } from './peer-packages.js';
import { signedPusherPath, type PusherApp } from './pusher-signature.js';
import { portAccepts } from './port-accepts.js';
import { BENCH_CHANNEL, type ServerUnderTest } from './server-under-test.js';

const READY_LIMIT_MS = 20_000;
const APP: PusherApp = { id: 'bench', key: 'bench-key', secret: 'bench-secret' };


async function startNode(main: string, redisPort: number, dir: string): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const env = {
    PATH: process.env['PATH'] ?? '',
    HOME: dir, // its PM2 helper wants one
    SOKETI_HOST: '127.0.0.1',
    SOKETI_PORT: String(port),
    SOKETI_METRICS_HOST: '127.0.0.1',
    SOKETI_METRICS_SERVER_PORT: String(await freePort()),
    SOKETI_CLUSTER_HOST: '127.0.0.1',
    SOKETI_CLUSTER_BROADCAST_ADDRESS: '127.255.255.255',
    SOKETI_CLUSTER_PORT: String(await freePort()),
    SOKETI_ADAPTER_DRIVER: 'redis',
    SOKETI_DB_REDIS_HOST: '127.0.0.1',
    SOKETI_DB_REDIS_PORT: String(redisPort),
    SOKETI_DEFAULT_APP_ID: APP.id,
    SOKETI_DEFAULT_APP_KEY: APP.key,
    SOKETI_DEFAULT_APP_SECRET: APP.secret,
    ...runMarkEnv(),
  };
  const config = join(dir, `soketi-${port}.json`);
  writeFileSync(config, JSON.stringify({ 'cluster.address': '127.0.0.1' }));
  const child = spawnTracked(process.execPath, [main, 'start', `--config=${config}`], { cwd: dir, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + READY_LIMIT_MS;
  while (!(await portAccepts(port))) {
    if (!isRunning(child)) throw new Error(`soketi exited at start (port ${port})`);
    if (Date.now() > deadline) {
      await stopProcess(child);
      throw new Error(`soketi did not listen on ${port} within ${READY_LIMIT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, port };
}

export async function startSoketi(options: { readonly nodes: number }): Promise<ServerUnderTest> {
  ensurePeerPackages();
  const main = resolvePeer('@soketi/soketi/bin/server.js');
  const redis = await startRedisServer();
  const dir = makeTempDir('tidings-soketi-');
  const nodes: Array<{ child: ChildProcess; port: number }> = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => stopProcess(n.child, 10_000)));
    await redis.stop();
    removeTempDir(dir);
  };
  try {
    // One at a time: each takes the discovery's master election in turn.
    for (let i = 0; i < options.nodes; i++) nodes.push(await startNode(main, redis.port, dir));
  } catch (error) {
    await stop();
    throw error;
  }
  const publishPath = `/apps/${APP.id}/events`;
  return {
    kind: 'soketi',
    description: `@soketi/soketi ${peerVersion('@soketi/soketi')} (uWebSockets.js alias of the workspace); ${nodes.length} node(s), Redis adapter on its own redis-server`,
    targets: nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
    // Ready once connection_established and subscription_succeeded are in; pusher:ping is answered.
    route: () => ({
      transport: 'ws',
      path: `/app/${APP.key}?protocol=7&client=tidings-bench&version=1.0`,
      wsSubscribe: JSON.stringify({ event: 'pusher:subscribe', data: { channel: BENCH_CHANNEL } }),
      wsReadyFrames: 2,
      wsReplies: [['{"event":"pusher:ping"', '{"event":"pusher:pong","data":{}}']],
    }),
    transports: ['ws'],
    publishTargets: [{ host: '127.0.0.1', port: nodes[0]!.port }],
    publishRequest: (data) => {
      const body = JSON.stringify({ name: 'm', channel: BENCH_CHANNEL, data });
      return { path: signedPusherPath(APP, publishPath, body, Math.floor(Date.now() / 1000)), body, contentType: 'application/json' };
    },
    serverPids: () => nodes.map((n) => n.child.pid!),
    redisPids: [redis.pid],
    stop,
  };
}
