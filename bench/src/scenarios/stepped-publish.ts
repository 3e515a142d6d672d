// Stepped open-loop publishing: one step per rate (events per second), each on a schedule fixed in
// advance for a few seconds, events sent when due whatever the answers (several in flight) and
// stamped with the time they were due, so latency counts from then (no coordinated omission).
// Stops after the first step whose p99 passes the degradation bound, whose sends fell below 90%
// of the offered rate (the publisher behind its schedule), or whose unanswered publishes passed
// the publisher's cap. After each step the run waits (bounded) until every subscriber has the
// step's events, so a step's latency includes its own backlog and none of the previous step's:
// per-step latency comes from the generators' once-a-second reports, which carry the delivery
// counts and the samples together.
// Concurrent publishes have no order of their own: the order the server stored them in
// (from its answers) is replayed through a sequence checker, and subscribers are held to it.
import type { LoadGenerator } from '../loadgen/index.js';
import type { Publisher, PublishOutcome } from '../fanout/publisher.js';
import { LatencyHistogram, SequenceChecker } from '../loadgen/index.js';

export interface StepPlan {
  readonly rates: readonly number[];
  readonly stepSeconds: number;
  readonly payloadBytes: number;
  /** A step whose p99 (ms) is above this is the last. */
  readonly degradedP99Ms: number;
}

export interface StepFigures {
  readonly offeredPerSecond: number;
  /** The rate events went out at (the schedule, unless this process fell behind it). */
  readonly achievedPerSecond: number;
  /** Events over the time from the first send to the last answer. */
  readonly answeredPerSecond: number;
  readonly events: number;
  readonly lateSends: number;
  /** The step ended early: too many publishes were waiting for an answer. */
  readonly saturated: boolean;
  readonly latencyMs: { readonly samples: number; readonly p50: number; readonly p99: number; readonly max: number };
  readonly answerP99Ms: number;
  /** From the step's last send until every subscriber had its events (or the wait's bound). */
  readonly backlogSeconds: number;
}

/** Longest wait for a step's backlog; a wait also ends once deliveries stop for STALL_MS. */
const BACKLOG_LIMIT_MS = 60_000;
const STALL_MS = 5000;
const POLL_MS = 100;

/** Waits until the generator counts `expected` deliveries, they stop coming, or the bound passes. */
async function backlog(generator: LoadGenerator, expected: () => number, signal: AbortSignal): Promise<void> {
  const start = performance.now();
  let last = generator.live().deliveries;
  let lastChange = start;
  while (!signal.aborted && performance.now() - start < BACKLOG_LIMIT_MS && performance.now() - lastChange < STALL_MS) {
    const { deliveries } = generator.live();
    if (deliveries >= expected()) return;
    if (deliveries !== last) {
      last = deliveries;
      lastChange = performance.now();
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

const ms = (micros: number) => Math.round(micros) / 1000;

/** Compares stream ids (`<ms>-<n>`) in storage order. */
function byStreamId(a: string, b: string): number {
  const [am, an] = a.split('-').map(Number) as [number, number];
  const [bm, bn] = b.split('-').map(Number) as [number, number];
  return am - bm || an - bn;
}

/**
 * Feeds a step's events to `storage` in the order the server stored them (by the ids its answers
 * gave), as a subscriber following that order receives them; null once an answer named no id.
 */
export function replayStorageOrder(storage: SequenceChecker | null, stored: ReadonlyArray<readonly [number, string | null]>): SequenceChecker | null {
  if (storage === null || stored.some(([, id]) => id === null)) return null;
  for (const [seq] of [...stored].sort((a, b) => byStreamId(a[1]!, b[1]!))) storage.accept(seq);
  return storage;
}

/** Publishes the steps; returns the whole run as one outcome and fills `steps`. */
export async function publishSteps(publisher: Publisher, generator: LoadGenerator, plan: StepPlan, signal: AbortSignal, log: (line: string) => void, steps: StepFigures[]): Promise<PublishOutcome> {
  const window = generator.openLatencyWindow();
  const answers = new LatencyHistogram();
  // What a subscriber following the server's storage order sees; null once an answer named no id.
  let storage: SequenceChecker | null = new SequenceChecker(1);
  let lastSeq = 0;
  let late = 0;
  let startedMicros = Number.NaN;
  let endedMicros = Number.NaN;
  try {
    for (const rate of plan.rates) {
      if (signal.aborted) break;
      const step = await publisher.openLoop({ ratePerSecond: rate, seconds: plan.stepSeconds, payloadBytes: plan.payloadBytes, firstSeq: lastSeq + 1 }, signal);
      storage = replayStorageOrder(storage, step.stored);
      if (Number.isNaN(startedMicros)) startedMicros = step.startedMicros;
      endedMicros = step.endedMicros;
      lastSeq = step.lastSeq;
      late += step.late;
      answers.add(step.latency.snapshot());
      const sentAll = performance.now();
      await backlog(
        generator,
        () => {
          const live = generator.live();
          return lastSeq * (live.ready - live.dropped);
        },
        signal,
      );
      const backlogSeconds = Math.round(performance.now() - sentAll) / 1000;
      const latency = window.take();
      const figures: StepFigures = {
        offeredPerSecond: rate,
        achievedPerSecond: Math.round(step.events / ((step.lastSentMicros - step.startedMicros) / 1e6 + 1 / rate)),
        answeredPerSecond: Math.round((step.events / (step.endedMicros - step.startedMicros)) * 1e6),
        events: step.events,
        lateSends: step.late,
        saturated: step.saturated,
        latencyMs: { samples: latency.count, p50: ms(latency.percentile(50)), p99: ms(latency.percentile(99)), max: ms(latency.max) },
        answerP99Ms: ms(step.latency.percentile(99)),
        backlogSeconds,
      };
      steps.push(figures);
      log(`  step ${figures.offeredPerSecond}/s: achieved ${figures.achievedPerSecond}/s, p99 ${figures.latencyMs.p99} ms, answer p99 ${figures.answerP99Ms} ms, backlog ${figures.backlogSeconds} s${figures.saturated ? ', saturated' : ''}`);
      if (figures.saturated || figures.latencyMs.p99 > plan.degradedP99Ms || figures.achievedPerSecond < 0.9 * figures.offeredPerSecond) break;
    }
  } finally {
    window.close();
  }
  const storedOrder = storage === null ? null : { outOfOrder: storage.outOfOrder, gaps: storage.gaps };
  return { events: lastSeq, lastSeq, startedMicros, endedMicros, latency: answers, late, storedOrder };
}
