// Stepped open-loop publishing: one step per rate (events per second), each on a fixed schedule
// for a few seconds, events stamped with the time they were due (so a publish held back by a slow
// answer counts its wait). Stops after the first step whose p99 passes the degradation bound or
// whose achieved rate falls below 90% of the offered one. Per-step latency comes from the
// generators' once-a-second reports, so a step's window is shifted by up to a second.
import type { LoadGenerator } from '../loadgen/index.js';
import type { Publisher, PublishOutcome } from '../fanout/publisher.js';
import { LatencyHistogram } from '../loadgen/index.js';

export interface StepPlan {
  readonly rates: readonly number[];
  readonly stepSeconds: number;
  readonly payloadBytes: number;
  /** A step whose p99 (ms) is above this is the last. */
  readonly degradedP99Ms: number;
}

export interface StepFigures {
  readonly offeredPerSecond: number;
  readonly achievedPerSecond: number;
  readonly events: number;
  readonly lateSends: number;
  readonly latencyMs: { readonly samples: number; readonly p50: number; readonly p99: number; readonly max: number };
  readonly answerP99Ms: number;
}

const ms = (micros: number) => Math.round(micros) / 1000;

/** Publishes the steps; returns the whole run as one outcome and fills `steps`. */
export async function publishSteps(publisher: Publisher, generator: LoadGenerator, plan: StepPlan, signal: AbortSignal, log: (line: string) => void, steps: StepFigures[]): Promise<PublishOutcome> {
  const window = generator.openLatencyWindow();
  const answers = new LatencyHistogram();
  let lastSeq = 0;
  let late = 0;
  let startedMicros = Number.NaN;
  let endedMicros = Number.NaN;
  try {
    for (const rate of plan.rates) {
      if (signal.aborted) break;
      const intervalMs = Math.max(1, Math.round(1000 / rate));
      const step = await publisher.run(
        { mode: 'paced', seconds: plan.stepSeconds, intervalMs, payloadBytes: plan.payloadBytes, maxEvents: rate * plan.stepSeconds, firstSeq: lastSeq + 1, stampDueTime: true },
        signal,
      );
      if (Number.isNaN(startedMicros)) startedMicros = step.startedMicros;
      endedMicros = step.endedMicros;
      lastSeq = step.lastSeq;
      late += step.late;
      answers.add(step.latency.snapshot());
      const latency = window.take();
      const figures: StepFigures = {
        offeredPerSecond: Math.round(1000 / intervalMs),
        achievedPerSecond: Math.round((step.events / (step.endedMicros - step.startedMicros)) * 1e6),
        events: step.events,
        lateSends: step.late,
        latencyMs: { samples: latency.count, p50: ms(latency.percentile(50)), p99: ms(latency.percentile(99)), max: ms(latency.max) },
        answerP99Ms: ms(step.latency.percentile(99)),
      };
      steps.push(figures);
      log(`  step ${figures.offeredPerSecond}/s: achieved ${figures.achievedPerSecond}/s, p99 ${figures.latencyMs.p99} ms, ${figures.lateSends} late`);
      if (figures.latencyMs.p99 > plan.degradedP99Ms || figures.achievedPerSecond < 0.9 * figures.offeredPerSecond) break;
    }
  } finally {
    window.close();
  }
  return { events: lastSeq, lastSeq, startedMicros, endedMicros, latency: answers, late };
}
