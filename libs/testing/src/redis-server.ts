import { type ChildProcess, spawnSync } from 'node:child_process';
import { freePort } from './free-port.js';
import { redisCommand } from './redis-command.js';
import { exitOf, isRunning, makeTempDir, removeTempDir, spawnTracked, stopProcess } from './spawn-tracked.js';

export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** The server's PID; NaN for an external server (REDIS_URL), which is not ours to signal. */
  readonly pid: number;
  /** SIGTERM, wait for the exit, remove its directory. A no-op for an external server. */
  stop(): Promise<void>;
  /** SIGKILL, no cleanup by the server itself: a crash. */
  kill9(): void;
}

/** A redis-server process this harness started. */
export interface RedisProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** What it printed (bounded), for error messages. */
  readonly output: string[];
}

const READY_LIMIT_MS = 15_000;
const OUTPUT_LINES_KEPT = 200;

/**
 * Starts an in-memory redis-server (`--save '' --appendonly no`) on 127.0.0.1 and a free port,
 * in a temp dir of its own, and resolves once it answers PING.
 */
export async function startRedisServer(options: { args?: readonly string[] } = {}): Promise<RedisServer> {
  const dir = makeTempDir('tidings-redis-');
  let redis: RedisProcess;
  try {
    redis = await launchRedis(dir, async () => [...(options.args ?? [])]);
  } catch (error) {
    removeTempDir(dir);
    throw error;
  }
  const { port, child } = redis;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    stop: async () => {
      await stopProcess(child);
      removeTempDir(dir);
    },
    kill9: () => {
      child.kill('SIGKILL');
    },
  };
}

/**
 * The Redis named by REDIS_URL when it is set (stop() and kill9() leave it alone; tests keep
 * apart by key prefix), otherwise a fresh server from startRedisServer().
 */
export async function useOrStartRedis(): Promise<RedisServer> {
  const external = process.env['REDIS_URL'];
  if (external === undefined || external === '') return startRedisServer();
  if (!/^rediss?:\/\//i.test(external) || !URL.canParse(external)) {
    throw new Error(`REDIS_URL must be a redis:// or rediss:// URL for the test harness, got '${external.replace(/\/\/[^@/]*@/, '//***@')}'`);
  }
  const port = Number(new URL(external).port || 6379);
  return {
    url: external,
    port,
    pid: Number.NaN,
    stop: async () => undefined,
    kill9: () => {
      throw new Error('kill9() cannot crash an external Redis (REDIS_URL); unset REDIS_URL to let the harness start one');
    },
  };
}

/**
 * Spawns `redis-server` on a free port with the given extra arguments and waits for PING. When
 * the port was taken between choosing and binding it, tries again on another one.
 */
export async function launchRedis(dir: string, extraArgs: (port: number) => Promise<string[]>): Promise<RedisProcess> {
  assertOnPath('redis-server');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...(await extraArgs(port))];
    const child = spawnTracked('redis-server', args);
    const output = collectLines(child);
    try {
      await waitForPing(port, child, output);
      return { port, child, output };
    } catch (error) {
      await stopProcess(child, 1000);
      if (attempt < 5 && output.some((line) => /Address already in use/i.test(line))) continue;
      throw error;
    }
  }
}

async function waitForPing(port: number, child: ChildProcess, output: readonly string[]): Promise<void> {
  const deadline = Date.now() + READY_LIMIT_MS;
  let lastError: unknown;
  for (;;) {
    if (!isRunning(child)) {
      const code = await exitOf(child);
      throw new Error(`redis-server on port ${port} exited (code ${code}) before answering PING:\n${output.join('\n')}`);
    }
    try {
      if ((await redisCommand(port, 'PING')) === 'PONG') return;
    } catch (error) {
      lastError = error; // not listening yet: try again shortly
    }
    if (Date.now() > deadline) {
      throw new Error(`redis-server on port ${port} did not answer PING within ${READY_LIMIT_MS} ms (${String(lastError)}):\n${output.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function assertOnPath(command: string): void {
  const probe = spawnSync(command, ['--version'], { stdio: 'ignore' });
  if (probe.error) {
    throw new Error(
      `${command} is not on PATH (${probe.error.message}). Install Redis 7 (Debian/Ubuntu: apt-get install redis-server), ` +
        'or set REDIS_URL to use a running server.',
    );
  }
}

function collectLines(child: ChildProcess): string[] {
  const lines: string[] = [];
  const take = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
    if (lines.length > OUTPUT_LINES_KEPT) lines.splice(0, lines.length - OUTPUT_LINES_KEPT);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  return lines;
}
