import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { exitOf, spawnTracked, stopProcess } from './spawn-tracked.js';

export interface EdgeProcess {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Every line the process wrote, stdout (JSON logs) and stderr alike, in arrival order. */
  readonly logs: string[];
  /** SIGTERM (a graceful drain) and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: a crash. */
  kill9(): void;
  /** The exit code; null when a signal ended the process. */
  readonly exited: Promise<number | null>;
}

export interface EdgeOptions {
  readonly redisUrl: string;
  /** A fixed port, to restart a node where its clients will reconnect; 0 (a free one) when absent. */
  readonly port?: number;
  /** Added to this process's environment. */
  readonly env?: Record<string, string>;
  /** Appended after the defaults, so they can override them (a repeated flag keeps its last value). */
  readonly args?: readonly string[];
}

// This file is libs/testing/{src,dist}/edge-process.*: the repository root is three levels up.
const EDGE_MAIN = fileURLToPath(new URL('../../../services/edge/dist/main.js', import.meta.url));
const START_LIMIT_MS = 20_000;

/**
 * Starts `services/edge/dist/main.js` on 127.0.0.1 and an ephemeral port (or `port`), anonymous access on,
 * and resolves once it logs `"msg":"listening"` with the port it got. Rejects with everything it
 * printed when it exits first or has not listened after 20 s (then it is killed).
 */
export function startEdge(options: EdgeOptions): Promise<EdgeProcess> {
  if (!existsSync(EDGE_MAIN)) {
    return Promise.reject(new Error(`${EDGE_MAIN} does not exist: build the edge first (npx nx run-many -t build)`));
  }
  const port = String(options.port ?? 0);
  const args = [EDGE_MAIN, '--port', port, '--host', '127.0.0.1', '--redis', options.redisUrl, '--allow-anonymous', ...(options.args ?? [])];
  const child = spawnTracked(process.execPath, args, { env: { ...process.env, ...options.env } });
  const logs: string[] = [];
  const exited = exitOf(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the edge did not log "listening" within ${START_LIMIT_MS} ms; its output:\n${logs.join('\n')}`));
    }, START_LIMIT_MS);
    onLines(child.stderr, (line) => logs.push(line));
    onLines(child.stdout, (line) => {
      logs.push(line);
      const port = listeningPort(line);
      if (port === undefined) return;
      clearTimeout(timer);
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        pid: child.pid!,
        logs,
        exited,
        stop: async () => {
          await stopProcess(child);
        },
        kill9: () => {
          child.kill('SIGKILL');
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the edge exited (code ${code}) before listening; its output:\n${logs.join('\n')}`));
    });
  });
}

function onLines(stream: NodeJS.ReadableStream | null, take: (line: string) => void): void {
  let partial = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) take(line);
  });
  stream?.on('end', () => {
    if (partial !== '') take(partial);
  });
}

/** The port of a pino `"msg":"listening"` line; undefined for any other line. */
function listeningPort(line: string): number | undefined {
  if (!line.startsWith('{') || !line.includes('"listening"')) return undefined;
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  if (entry === null || typeof entry !== 'object') return undefined;
  const { msg, port } = entry as { msg?: unknown; port?: unknown };
  return msg === 'listening' && typeof port === 'number' ? port : undefined;
}
