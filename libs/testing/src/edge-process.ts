import { fileURLToPath } from 'node:url';
import { exitOf, spawnTracked, stopProcess } from './processes.js';

export interface EdgeProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Every line the process wrote (JSON logs and anything else). */
  readonly logs: string[];
  readonly exited: Promise<number | null>;
  /** SIGTERM (graceful drain) and wait for the exit. */
  stop(): Promise<void>;
  kill9(): void;
}

const EDGE_MAIN = fileURLToPath(new URL('../../../services/edge/dist/main.js', import.meta.url));

/** Starts `tidings edge` as its own process on a free port and waits until it listens. */
export function startEdge(options: { redisUrl: string; env?: Record<string, string>; args?: readonly string[] }): Promise<EdgeProcess> {
  const child = spawnTracked(
    process.execPath,
    [EDGE_MAIN, '--port', '0', '--host', '127.0.0.1', '--redis', options.redisUrl, '--allow-anonymous', ...(options.args ?? [])],
    { env: { ...process.env, ...options.env } },
  );
  const logs: string[] = [];
  const exited = exitOf(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`edge did not start within 20 s:\n${logs.join('\n')}`)), 20_000);
    let buffered = '';
    const onOutput = (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        logs.push(line);
        const port = listeningPort(line);
        if (port !== undefined) {
          clearTimeout(timer);
          resolve({
            url: `http://127.0.0.1:${port}`,
            port,
            pid: child.pid!,
            logs,
            exited,
            stop: () => stopProcess(child),
            kill9: () => child.kill('SIGKILL'),
          });
        }
      }
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`edge exited (code ${code}) before listening:\n${logs.join('\n')}`));
    });
  });
}

function listeningPort(line: string): number | undefined {
  try {
    const entry = JSON.parse(line) as { msg?: string; port?: number };
    return entry.msg === 'listening' && typeof entry.port === 'number' ? entry.port : undefined;
  } catch {
    return undefined; // not a JSON log line
  }
}
