// What the fan-out bench needs to know about a server: where subscribers connect, how to publish,
// and which processes to measure. Tidings, the bare-write floor and Nchan each provide one.
import type { Route, Target, Transport } from '../loadgen/index.js';

export type ServerKind = 'tidings' | 'floor' | 'nchan' | 'socketio' | 'soketi' | 'mosquitto';

/** One publish as an HTTP POST: where, what, and in which content type. */
export interface PublishRequest {
  readonly path: string;
  readonly body: string;
  readonly contentType: string;
}

export interface ServerUnderTest {
  readonly kind: ServerKind;
  /** Version and settings worth recording next to the figures. */
  readonly description: string;
  /** Where subscribers connect, spread round-robin. */
  readonly targets: readonly Target[];
  /** How a subscriber of `transport` follows the bench channel; the transports it speaks. */
  route(transport: Transport): Route;
  readonly transports: readonly Transport[];
  /** Every event is POSTed to each of these (the floor has no shared bus between its processes). */
  readonly publishTargets: readonly Target[];
  /** The request that publishes `data` on the bench channel. */
  publishRequest(data: string): PublishRequest;
  /** The processes whose CPU and memory count as the server's (Redis apart). */
  serverPids(): readonly number[];
  /** Its Redis processes, measured apart; none for the floor. */
  readonly redisPids: readonly number[];
  stop(): Promise<void>;
}

/** The channel every bench subscriber listens to. */
export const BENCH_CHANNEL = 'bench';
