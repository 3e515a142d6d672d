// The bench's one publisher: plain HTTP POSTs on a keep-alive connection, one request in flight,
// so the server receives events in the order of their sequence numbers. Paced mode publishes on
// a fixed schedule; burst mode publishes the next event as soon as the previous one is answered.
// Both stop after a bounded time. The answer latency is measured here, where the publisher waits.
import { Agent, request } from 'node:http';
import { LatencyHistogram, type Target, eventData, wallMicros } from '../loadgen/index.js';
import type { PublishRequest, ServerUnderTest } from '../servers/server-under-test.js';

export type PublishMode = 'paced' | 'burst';

export interface PublishPlan {
  readonly mode: PublishMode;
  readonly seconds: number;
  /** Paced: time between events. */
  readonly intervalMs: number;
  readonly payloadBytes: number;
  /** A bound on events whatever the mode. */
  readonly maxEvents: number;
  /** The first sequence number (a stepped run continues where the previous step ended). Default 1. */
  readonly firstSeq?: number;
  /**
   * Paced: stamp each event with the time it was due rather than sent, so an event held back by a
   * slow answer counts its wait in the latency (open-loop measuring, no coordinated omission).
   */
  readonly stampDueTime?: boolean;
}

/** The requests that publish one event's data (several when it goes to several channels). */
export type RequestsFor = (data: string) => readonly PublishRequest[];

export interface PublishOutcome {
  /** Events published: sequence numbers firstSeq … lastSeq. */
  readonly events: number;
  readonly lastSeq: number;
  readonly startedMicros: number;
  readonly endedMicros: number;
  /** Publish answer latency, microseconds. */
  readonly latency: LatencyHistogram;
  /** Paced: events sent later than due because the previous answer came late. */
  readonly late: number;
}

const ANSWER_LIMIT_MS = 30_000;

export class Publisher {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  private readonly targets: readonly Target[];
  private readonly requestsFor: RequestsFor;

  /** Publishes to the server's bench channel, or through `requestsFor` when given. */
  constructor(server: Pick<ServerUnderTest, 'publishTargets' | 'publishRequest'>, requestsFor?: RequestsFor) {
    this.targets = server.publishTargets;
    this.requestsFor = requestsFor ?? ((data) => [server.publishRequest(data)]);
  }

  async run(plan: PublishPlan, signal: AbortSignal): Promise<PublishOutcome> {
    const latency = new LatencyHistogram();
    const startedMicros = wallMicros();
    const start = performance.now();
    const end = start + plan.seconds * 1000;
    const first = plan.firstSeq ?? 1;
    let seq = first - 1;
    let late = 0;
    while (seq - first + 1 < plan.maxEvents && !signal.aborted) {
      let stamp: number | undefined;
      if (plan.mode === 'paced') {
        const due = start + (seq - first + 1) * plan.intervalMs;
        if (due >= end) break;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        else if (-wait > plan.intervalMs) late++;
        if (plan.stampDueTime) stamp = Math.round(startedMicros + (due - start) * 1000);
      } else if (performance.now() >= end) {
        break;
      }
      seq++;
      const before = performance.now();
      await this.publish(eventData(seq, stamp ?? wallMicros(), plan.payloadBytes));
      latency.record((performance.now() - before) * 1000);
    }
    return { events: seq - first + 1, lastSeq: seq, startedMicros, endedMicros: wallMicros(), latency, late };
  }

  close(): void {
    this.agent.destroy();
  }

  private async publish(data: string): Promise<void> {
    const requests = this.requestsFor(data);
    await Promise.all(this.targets.flatMap((target) => requests.map((r) => this.post(target, r))));
  }

  private post(target: Target, { path, body, contentType }: PublishRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: target.host,
          port: target.port,
          path,
          method: 'POST',
          agent: this.agent,
          timeout: ANSWER_LIMIT_MS,
          headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else reject(new Error(`publishing to ${target.host}:${target.port}${path} answered ${status}: ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`));
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no publish answer within ${ANSWER_LIMIT_MS} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}
