// Nchan (Debian's nginx + libnginx-mod-nchan) as a peer: an nginx master this bench starts with
// a generated config in a private directory, on a free loopback port, in Nchan's Redis mode
// against the bench's own redis-server. The system nginx service is never touched.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, isRunning, makeTempDir, removeTempDir, spawnTracked, startRedisServer, stopProcess } from '@tidings/testing';
import { childPids } from '../loadgen/index.js';
import { NCHAN_MODULE, nchanConfig } from './nchan-config.js';
import { portAccepts } from './port-accepts.js';
import { BENCH_CHANNEL, type ServerUnderTest } from './server-under-test.js';

const READY_LIMIT_MS = 15_000;

/** nginx's and the Nchan package's versions; throws with the install command when either is missing. */
function nchanVersion(): string {
  const nginx = spawnSync('nginx', ['-v'], { encoding: 'utf8' }); // it prints its version on stderr
  if (nginx.error !== undefined || !existsSync(NCHAN_MODULE)) {
    throw new Error(`Nchan needs nginx and ${NCHAN_MODULE} (${nginx.error?.message ?? 'module missing'}): apt-get install -y nginx-light libnginx-mod-nchan`);
  }
  const nchanPackage = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Version}', 'libnginx-mod-nchan'], { encoding: 'utf8' });
  return `${nginx.stderr.trim().replace(/^nginx version: /, '')}, ${nchanPackage.status === 0 ? nchanPackage.stdout.trim() : 'Nchan module (version unknown)'}`;
}


export async function startNchan(options: { readonly workers: number; readonly connections: number }): Promise<ServerUnderTest> {
  const version = nchanVersion();
  const redis = await startRedisServer();
  const dir = makeTempDir('tidings-nchan-');
  // nginx workers run as an unprivileged user and must reach the temp directories inside.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const config = join(dir, 'nginx.conf');
  const workerConnections = Math.max(1024, Math.min(18_000, Math.ceil(options.connections / options.workers) * 2 + 1024));
  writeFileSync(config, nchanConfig({ dir, port, redisUrl: redis.url, workers: options.workers, workerConnections, channel: BENCH_CHANNEL }));
  const master = spawnTracked('nginx', ['-p', dir, '-c', config, '-e', join(dir, 'error.log')], { stdio: ['ignore', 'inherit', 'inherit'] });
  let workers: number[] = [];
  // If this process dies before stop(), the reaper kills the master; its workers are ours too.
  const killWorkers = () => {
    for (const pid of workers) if (existsSync(`/proc/${pid}`)) process.kill(pid, 'SIGKILL');
  };
  process.once('exit', killWorkers);
  const stop = async () => {
    await stopProcess(master, 10_000);
    killWorkers();
    process.off('exit', killWorkers);
    await redis.stop();
    removeTempDir(dir);
  };
  try {
    const deadline = Date.now() + READY_LIMIT_MS;
    for (;;) {
      if (!isRunning(master)) throw new Error(`nginx exited at start (see ${join(dir, 'error.log')})`);
      workers = childPids(master.pid!);
      if (workers.length >= options.workers && (await portAccepts(port))) break;
      if (Date.now() > deadline) throw new Error(`nginx did not start ${options.workers} workers on port ${port} within ${READY_LIMIT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    kind: 'nchan',
    description: `${version}; ${options.workers} worker(s); Redis mode (nchan_redis_pass) on its own redis-server`,
    targets: [{ host: '127.0.0.1', port }],
    route: (transport) => ({ transport, path: '/sub', wsSubscribe: null }),
    transports: ['sse', 'ws'],
    publishTargets: [{ host: '127.0.0.1', port }],
    publishRequest: (data) => ({ path: '/pub', body: data, contentType: 'text/plain' }),
    serverPids: () => [master.pid!, ...workers],
    redisPids: [redis.pid],
    stop,
  };
}
