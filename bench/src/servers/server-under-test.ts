// What the fan-out bench needs to know about a server: where subscribers connect, how to publish,
// and which processes to measure. Tidings, the bare-write floor and Nchan each provide one.
import type { Target, Transport } from '../loadgen/index.js';

export type ServerKind = 'tidings' | 'floor' | 'nchan';

export interface PublishTarget extends Target {
  readonly path: string;
}

export interface ServerUnderTest {
  readonly kind: ServerKind;
  /** Version and settings worth recording next to the figures. */
  readonly description: string;
  /** Where subscribers connect, spread round-robin. */
  readonly targets: readonly Target[];
  subscribePath(transport: Transport): string;
  /** WebSocket: the text frame that subscribes after the upgrade, or null (the URL says it all). */
  readonly wsSubscribe: string | null;
  /** Every event is POSTed to each of these (the floor has no shared bus between its processes). */
  readonly publishTargets: readonly PublishTarget[];
  /** The request body that publishes `data`, and its content type. */
  publishBody(data: string): { readonly body: string; readonly contentType: string };
  /** The processes whose CPU and memory count as the server's (Redis apart). */
  serverPids(): readonly number[];
  /** Its Redis, measured apart; undefined when it has none. */
  readonly redisPid: number | undefined;
  stop(): Promise<void>;
}

/** The channel every bench subscriber listens to. */
export const BENCH_CHANNEL = 'bench';
