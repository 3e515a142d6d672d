// The bench's one publisher: plain HTTP POSTs on a keep-alive connection, one request in flight,
// so the server receives events in the order of their sequence numbers. Paced mode publishes on
// a fixed schedule; burst mode publishes the next event as soon as the previous one is answered.
// Both stop after a bounded time. The answer latency is measured here, where the publisher waits.
// `openLoop` is the exception: events go out on a schedule fixed in advance, whatever the answers,
// over several connections; the order the server stored them in is read from its answers where it
// says (Tidings answers with the stream id), since concurrent publishes have no order of their own.
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
  /**
   * Open loop: how a subscriber that follows the server's storage order sees the sequence (events
   * stored after a later-numbered one, and the jumps): out of order by the server's own account,
   * not a fault. Null when the server's answers do not say where it stored each event.
   */
  readonly storedOrder?: { readonly outOfOrder: number; readonly gaps: number } | null;
}

const ANSWER_LIMIT_MS = 30_000;
/** Open loop: requests in flight at once (one per keep-alive connection); more wait their turn. */
const OPEN_LOOP_IN_FLIGHT = 64;
/** Open loop: sent and not yet answered past this, the server is saturated and the run ends. */
const OPEN_LOOP_OUTSTANDING_CAP = 10_000;

export interface OpenLoopPlan {
  readonly ratePerSecond: number;
  readonly seconds: number;
  readonly payloadBytes: number;
  readonly firstSeq: number;
}

export interface OpenLoopOutcome extends PublishOutcome {
  /** Stopped early: more than OPEN_LOOP_OUTSTANDING_CAP publishes waited for an answer. */
  readonly saturated: boolean;
  /** Wall clock (µs) of the last send: with startedMicros, the rate the schedule was kept at. */
  readonly lastSentMicros: number;
  /** Each event's sequence number and the id the server stored it under (null when its answer names none). */
  readonly stored: ReadonlyArray<readonly [number, string | null]>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The `"id":"…"` of a publish answer (Tidings: the stream id, in storage order), or null. */
export function answerId(body: string): string | null {
  return /"id":"(\d+-\d+)"/.exec(body)?.[1] ?? null;
}

export class Publisher {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly openLoopAgent = new Agent({ keepAlive: true, maxSockets: OPEN_LOOP_IN_FLIGHT });

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

  /**
   * Event i (from 0) is sent at start + i / rate, stamped with that due time, whether or not the
   * earlier ones were answered: latency counts from when an event was due, so a server that falls
   * behind shows it (no coordinated omission). Answer latency is from the due time too.
   */
  async openLoop(plan: OpenLoopPlan, signal: AbortSignal): Promise<OpenLoopOutcome> {
    const latency = new LatencyHistogram();
    const stored: Array<readonly [number, string | null]> = [];
    const intervalMs = 1000 / plan.ratePerSecond;
    const count = Math.max(1, Math.floor(plan.ratePerSecond * plan.seconds));
    const startedMicros = wallMicros();
    const start = performance.now();
    const pending: Array<Promise<void>> = [];
    let outstanding = 0;
    let late = 0;
    let sent = 0;
    let saturated = false;
    let failure: unknown;
    let lastSentMicros = startedMicros;
    while (sent < count && !signal.aborted && failure === undefined) {
      const due = start + sent * intervalMs;
      const wait = due - performance.now();
      if (wait >= 1) await sleep(wait);
      else if (-wait > Math.max(1, intervalMs)) late++; // this process fell behind its own schedule
      if (outstanding >= OPEN_LOOP_OUTSTANDING_CAP) {
        saturated = true;
        break;
      }
      const seq = plan.firstSeq + sent++;
      const dueMicros = Math.round(startedMicros + (due - start) * 1000);
      outstanding++;
      lastSentMicros = wallMicros();
      pending.push(
        this.publish(eventData(seq, dueMicros, plan.payloadBytes), this.openLoopAgent).then(
          (bodies) => {
            latency.record(wallMicros() - dueMicros);
            stored.push([seq, answerId(bodies[0] ?? '')]);
            outstanding--;
          },
          (error: unknown) => {
            failure ??= error;
            outstanding--;
          },
        ),
      );
    }
    await Promise.all(pending);
    if (failure !== undefined) throw failure;
    return { events: sent, lastSeq: plan.firstSeq + sent - 1, startedMicros, endedMicros: wallMicros(), latency, late, saturated, lastSentMicros, stored };
  }

  close(): void {
    this.agent.destroy();
    this.openLoopAgent.destroy();
  }

  /** Posts one event's requests to every target; the answers' bodies. */
  private async publish(data: string, agent = this.agent): Promise<string[]> {
    const requests = this.requestsFor(data);
    return Promise.all(this.targets.flatMap((target) => requests.map((r) => this.post(target, r, agent))));
  }

  private post(target: Target, { path, body, contentType }: PublishRequest, agent: Agent): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: target.host,
          port: target.port,
          path,
          method: 'POST',
          agent,
          timeout: ANSWER_LIMIT_MS,
          headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve(Buffer.concat(chunks).toString('utf8'));
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
