import { existsSync } from 'node:fs';
import { exitOf, spawnTracked, stopProcess } from './spawn-tracked.js';

/** A Tidings service (edge or worker) running as a child process of the test. */
export interface ServiceProcess {
  /** The port it reported when it became ready. */
  readonly port: number;
  readonly pid: number;
  /** Every line the process wrote, stdout (JSON logs) and stderr alike, in arrival order. */
  readonly logs: string[];
  /** SIGTERM (a graceful stop) and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: a crash. */
  kill9(): void;
  /** The exit code; null when a signal ended the process. */
  readonly exited: Promise<number | null>;
}

export interface ServiceSpec {
  /** What it is, for error messages ("edge", "worker"). */
  readonly name: string;
  /** Its built entry point. */
  readonly main: string;
  readonly args: readonly string[];
  readonly env?: Record<string, string>;
  /** The pino message it logs once ready, and the field of that line holding its port. */
  readonly readyMessage: string;
  readonly portField: string;
}

const START_LIMIT_MS = 20_000;

/**
 * Spawns `node <main> <args>` and resolves once it logs the ready message with its port. Rejects
 * with everything it printed when it exits first or is not ready after 20 s (then it is killed).
 */
export function startServiceProcess(spec: ServiceSpec): Promise<ServiceProcess> {
  if (!existsSync(spec.main)) {
    return Promise.reject(new Error(`${spec.main} does not exist: build the ${spec.name} first (npx nx run-many -t build)`));
  }
  const child = spawnTracked(process.execPath, [spec.main, ...spec.args], { env: { ...process.env, ...spec.env } });
  const logs: string[] = [];
  const exited = exitOf(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the ${spec.name} did not log "${spec.readyMessage}" within ${START_LIMIT_MS} ms; its output:\n${logs.join('\n')}`));
    }, START_LIMIT_MS);
    onLines(child.stderr, (line) => logs.push(line));
    onLines(child.stdout, (line) => {
      logs.push(line);
      const port = readyPort(line, spec);
      if (port === undefined) return;
      clearTimeout(timer);
      resolve({
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
      reject(new Error(`the ${spec.name} exited (code ${code}) before it was ready; its output:\n${logs.join('\n')}`));
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

/** The port of the ready line; undefined for any other line. */
function readyPort(line: string, spec: ServiceSpec): number | undefined {
  if (!line.startsWith('{') || !line.includes(`"${spec.readyMessage}"`)) return undefined;
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  if (entry === null || typeof entry !== 'object') return undefined;
  const fields = entry as Record<string, unknown>;
  const port = fields[spec.portField];
  return fields['msg'] === spec.readyMessage && typeof port === 'number' ? port : undefined;
}
