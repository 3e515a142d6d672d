// autocannon (the HTTP load tool the product brief names), loaded from bench/peers and driven
// through its programmatic API: a fixed number of keep-alive connections posting one body for a
// fixed time. Only the fields the bench reads are typed here.
import { pathToFileURL } from 'node:url';
import { resolvePeer } from '../servers/peer-packages.js';

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

function autocannon(): Promise<Autocannon> {
  loaded ??= import(pathToFileURL(resolvePeer('autocannon')).href).then((m: { default: Autocannon }) => m.default);
  return loaded;
}

/** Runs one autocannon instance; a fired signal stops it early (its partial result still counts). */
export async function cannon(plan: CannonPlan, signal: AbortSignal): Promise<CannonResult> {
  const run = await autocannon();
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
