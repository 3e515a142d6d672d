// autocannon (the HTTP load tool the product brief names), loaded from bench/peers and driven
// through its programmatic API: a fixed number of keep-alive connections posting one body for a
// fixed time, each instance in a child process of its own (cannon-process.ts) so its CPU is
// measured apart. Only the fields the bench reads are typed here.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type CpuTimes, cpuSince, readCpu } from '../loadgen/index.js';
import { exitOf, spawnTracked, stopProcess } from '@tidings/testing';
import { resolvePeer } from '../servers/peer-packages.js';
import type { FromCannon, ToCannon } from './cannon-process.js';

// This file is bench/{src,dist}/scenarios/autocannon-run.*; the child is built next to it.
const CANNON_MAIN = fileURLToPath(new URL('../../dist/scenarios/cannon-process.js', import.meta.url));

export interface CannonPlan {
  readonly url: string;
  readonly body: string;
  readonly connections: number;
  readonly seconds: number;
}

interface Histogram {
  readonly average: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly total: number;
}

export interface CannonResult {
  readonly requests: Histogram;
  readonly latency: Histogram;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly duration: number;
}

interface Instance {
  stop(): void;
}
type Autocannon = (options: Record<string, unknown>, done: (error: Error | null, result: CannonResult) => void) => Instance;

let loaded: Promise<Autocannon> | undefined;

export function loadAutocannon(): Promise<Autocannon> {
  loaded ??= import(pathToFileURL(resolvePeer('autocannon')).href).then((m: { default: Autocannon }) => m.default);
  return loaded;
}

/** Runs one autocannon instance; a fired signal stops it early (its partial result still counts). */
export async function cannon(plan: CannonPlan, signal: AbortSignal): Promise<CannonResult> {
  const run = await loadAutocannon();
  return new Promise((resolve, reject) => {
    const instance = run(
      { url: plan.url, method: 'POST', body: plan.body, headers: { 'content-type': 'application/json' }, connections: plan.connections, duration: plan.seconds },
      (error, result) => {
        signal.removeEventListener('abort', stop);
        if (error) reject(error);
        else resolve(result);
      },
    );
    const stop = () => instance.stop();
    signal.addEventListener('abort', stop, { once: true });
  });
}

/** Runs one autocannon instance in a child process; its result and the CPU the child spent running it. */
export async function cannonApart(plan: CannonPlan, signal: AbortSignal): Promise<{ result: CannonResult; cpu: CpuTimes }> {
  const child = spawnTracked(process.execPath, [CANNON_MAIN], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const stop = () => child.kill('SIGTERM');
  try {
    let before: CpuTimes | undefined;
    const outcome = await new Promise<{ result: CannonResult; cpu: CpuTimes }>((resolve, reject) => {
      child.on('message', (message: FromCannon) => {
        if (message.type === 'ready') {
          before = readCpu(child.pid!);
          signal.addEventListener('abort', stop, { once: true });
          child.send({ type: 'run', plan } satisfies ToCannon);
        } else if (message.type === 'result') {
          resolve({ result: message.result, cpu: cpuSince(before!, readCpu(child.pid!)) });
        } else {
          reject(new Error(`autocannon: ${message.message}`));
        }
      });
      void exitOf(child).then((code) => reject(new Error(`the autocannon process exited (code ${code}) before its result`)));
    });
    child.send({ type: 'exit' } satisfies ToCannon);
    return outcome;
  } finally {
    signal.removeEventListener('abort', stop);
    await stopProcess(child, 5000);
  }
}
