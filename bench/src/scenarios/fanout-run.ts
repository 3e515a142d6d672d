// One fan-out measurement on a started server: its subscribers on the bench channel, published to
// paced, in bursts, or in open-loop rate steps. Shared by the fanout and cross-node scenarios.
import { measureDelivery } from '../delivery/measure-delivery.js';
import { MAX_EVENTS } from '../fanout/run-fanout-scenario.js';
import type { ServerUnderTest } from '../servers/server-under-test.js';
import type { ScenarioContext } from '../suite/scenario.js';
import type { OptionSpecs, OptionValues } from '../suite/suite-options.js';
import type { Measured } from './record-run.js';
import { type TransportChoice, routesFor } from './routes-for.js';
import { processesFor } from './sizing.js';
import { type StepFigures, publishSteps } from './stepped-publish.js';

export type FanoutMode = 'paced' | 'burst' | 'stepped';
export const FANOUT_MODES: readonly FanoutMode[] = ['paced', 'burst', 'stepped'];

/** The options of a fan-out run, shared by the scenarios that run one. */
export const FANOUT_RUN_OPTIONS: OptionSpecs = {
  seconds: { kind: 'int', default: 10, min: 1, max: 600, help: 'paced and burst: how long to publish' },
  'interval-ms': { kind: 'int', default: 100, min: 1, max: 60_000, help: 'paced: time between events' },
  'payload-bytes': { kind: 'int', default: 64, min: 32, max: 16_000, help: "each event's data size, the same for every server" },
  rates: { kind: 'ints', default: [10, 20, 50, 100, 200, 500], min: 1, max: 100_000, help: 'stepped: events per second, one step each' },
  'step-seconds': { kind: 'int', default: 5, min: 1, max: 120, help: 'stepped: how long each rate lasts' },
  'degraded-p99-ms': { kind: 'int', default: 1000, min: 1, max: 60_000, help: 'stepped: the step whose p99 passes this is the last' },
  'sample-every': { kind: 'int', default: 64, min: 1, max: 1_000_000, help: 'one connection in N measures latency' },
  'drain-seconds': { kind: 'int', default: 60, min: 1, max: 600, help: 'longest wait for a backlog still arriving' },
};

const kb = (bytes: number) => (bytes / 1024).toFixed(1);

export async function measureFanout(
  server: ServerUnderTest,
  run: { readonly transport: TransportChoice; readonly subscribers: number; readonly mode: FanoutMode },
  options: OptionValues,
  context: ScenarioContext,
): Promise<Measured> {
  const steps: StepFigures[] = [];
  const payloadBytes = options.int('payload-bytes');
  const outcome = await measureDelivery(
    server,
    {
      routes: routesFor(server, run.transport)!,
      connections: run.subscribers,
      generatorProcesses: processesFor(run.subscribers),
      sampleEvery: options.int('sample-every'),
      stallSeconds: 5,
      drainSeconds: options.int('drain-seconds'),
      publish: (publisher, generator) =>
        run.mode === 'stepped'
          ? publishSteps(
              publisher,
              generator,
              { rates: options.ints('rates'), stepSeconds: options.int('step-seconds'), payloadBytes, degradedP99Ms: options.int('degraded-p99-ms') },
              context.signal,
              context.log,
              steps,
            )
          : publisher.run({ mode: run.mode, seconds: options.int('seconds'), intervalMs: options.int('interval-ms'), payloadBytes, maxEvents: MAX_EVENTS }, context.signal),
    },
    context,
  );
  const f = outcome.figures!;
  return {
    description: server.description,
    figures: { ...f, idle: outcome.idle },
    ...(run.mode === 'stepped' ? { series: steps } : {}),
    summary:
      `${f.delivery.deliveries} deliveries (lost ${f.delivery.lost}, dup ${f.delivery.duplicates}, out of order ${f.delivery.outOfOrder}${f.delivery.outOfOrderByStorage ? `, ${f.delivery.outOfOrderByStorage} of them by the server's storage order` : ''}), ` +
      `${f.efficiency.deliveriesPerServerCpuSecond} per server CPU-s; latency p50/p99 ${f.latencyMs.p50}/${f.latencyMs.p99} ms; ` +
      `${kb(f.memory.serverBytesPerConnection)} KB per idle connection (${kb(f.memory.serverBytesPerConnectionMarginal)} KB for the second half)`,
  };
}
