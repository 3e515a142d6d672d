import { fileURLToPath } from 'node:url';
import { type ServiceProcess, startServiceProcess } from './service-process.js';

export interface WorkerOptions {
  readonly redisUrl: string;
  /** Appended after the defaults, so they can override them. */
  readonly args?: readonly string[];
  readonly env?: Record<string, string>;
}

const WORKER_MAIN = fileURLToPath(new URL('../../../services/worker/dist/main.js', import.meta.url));

/** Starts `services/worker/dist/main.js`, its metrics server on 127.0.0.1 and a free port (the `port`). */
export function startWorker(options: WorkerOptions): Promise<ServiceProcess> {
  return startServiceProcess({
    name: 'worker',
    main: WORKER_MAIN,
    args: ['--redis', options.redisUrl, '--metrics-host', '127.0.0.1', '--metrics-port', '0', ...(options.args ?? [])],
    readyMessage: 'working',
    portField: 'metricsPort',
    ...(options.env ? { env: options.env } : {}),
  });
}
