// Starts a Node program of this package (the floor server) and waits for the JSON line
// `{"msg":"listening","port":N}` it prints once it accepts connections.
import { exitOf, spawnTracked, stopProcess } from '@tidings/testing';

export interface NodeChild {
  readonly pid: number;
  readonly port: number;
  stop(): Promise<void>;
}

const READY_LIMIT_MS = 15_000;

export function startNodeChild(main: string, args: readonly string[]): Promise<NodeChild> {
  const child = spawnTracked(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${main} did not say it was listening within ${READY_LIMIT_MS} ms: ${output}`));
    }, READY_LIMIT_MS);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      output += chunk;
      const line = output.split('\n').find((l) => l.includes('"listening"'));
      if (line === undefined) return;
      const port = (JSON.parse(line) as { port?: unknown }).port;
      if (typeof port !== 'number') return;
      clearTimeout(timer);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      resolve({
        pid: child.pid!,
        port,
        stop: async () => {
          await stopProcess(child);
        },
      });
    });
    void exitOf(child).then((code) => {
      clearTimeout(timer);
      reject(new Error(`${main} exited (code ${code}) before listening: ${output}`));
    });
  });
}
