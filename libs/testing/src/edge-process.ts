import { fileURLToPath } from 'node:url';
import { type ServiceProcess, startServiceProcess } from './service-process.js';

export interface EdgeProcess extends ServiceProcess {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The plain TCP MQTT port it reported (started with --mqtt-port); null without one. */
  readonly mqttPort: number | null;
}

export interface EdgeOptions {
  readonly redisUrl: string;
  /** A fixed port, to restart a node where its clients will reconnect; 0 (a free one) when absent. */
  readonly port?: number;
  /** Added to this process's environment. */
  readonly env?: Record<string, string>;
  /** Appended after the defaults, so they can override them (a repeated flag keeps its last value). */
  readonly args?: readonly string[];
  /** Anonymous mode (the default here); false to test authentication. */
  readonly anonymous?: boolean;
}

// This file is libs/testing/{src,dist}/edge-process.*: the repository root is three levels up.
const EDGE_MAIN = fileURLToPath(new URL('../../../services/edge/dist/main.js', import.meta.url));

/** Starts `services/edge/dist/main.js` on 127.0.0.1 and an ephemeral port (or `port`), anonymous access on unless turned off. */
export async function startEdge(options: EdgeOptions): Promise<EdgeProcess> {
  const port = String(options.port ?? 0);
  const service = await startServiceProcess({
    name: 'edge',
    main: EDGE_MAIN,
    args: ['--port', port, '--host', '127.0.0.1', '--redis', options.redisUrl, ...(options.anonymous === false ? [] : ['--allow-anonymous']), ...(options.args ?? [])],
    readyMessage: 'listening',
    portField: 'port',
    ...(options.env ? { env: options.env } : {}),
  });
  return { ...service, url: `http://127.0.0.1:${service.port}`, mqttPort: reportedMqttPort(service.logs) };
}

/** The `mqttPort` field of the edge's "listening" line. */
function reportedMqttPort(logs: readonly string[]): number | null {
  const line = logs.find((l) => l.startsWith('{') && l.includes('"listening"') && l.includes('"mqttPort"'));
  const port = line === undefined ? undefined : (JSON.parse(line) as { mqttPort?: unknown }).mqttPort;
  return typeof port === 'number' ? port : null;
}
