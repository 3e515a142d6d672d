// One fan-out scenario from start to end: start the server, then measure (delivery/measure-delivery):
// connect the subscribers, read idle memory, publish (paced or burst) while every connection checks
// every event, and add up deliveries, latency and CPU. The server is stopped here, whatever happens.
import { loadavg } from 'node:os';
import { type DeliveryHooks, measureDelivery } from '../delivery/measure-delivery.js';
import { startServer } from '../servers/start-server.js';
import type { FanoutScenario } from './fanout-options.js';
import type { FanoutFigures } from './fanout-figures.js';

/** Bound on events per run, whatever the mode. */
export const MAX_EVENTS = 1_000_000;

export interface FanoutResult {
  readonly scenario: FanoutScenario;
  readonly server: string;
  /** The machine's 1-minute load average when the scenario began: was anything else running? */
  readonly loadAverageAtStart: number;
  readonly figures: FanoutFigures;
}

export type RunHooks = DeliveryHooks;

export async function runFanoutScenario(scenario: FanoutScenario, hooks: RunHooks): Promise<FanoutResult> {
  const loadAverageAtStart = Math.round(loadavg()[0]! * 100) / 100;
  const server = await startServer(scenario.server, { processes: scenario.serverProcesses, connections: scenario.subscribers });
  try {
    const outcome = await measureDelivery(
      server,
      {
        routes: [server.route(scenario.transport)],
        connections: scenario.subscribers,
        generatorProcesses: scenario.generatorProcesses,
        sampleEvery: scenario.sampleEvery,
        stallSeconds: scenario.stallSeconds,
        drainSeconds: scenario.drainSeconds,
        publish: (publisher) =>
          publisher.run(
            { mode: scenario.mode, seconds: scenario.seconds, intervalMs: scenario.intervalMs, payloadBytes: scenario.payloadBytes, maxEvents: MAX_EVENTS },
            hooks.signal,
          ),
      },
      hooks,
    );
    return { scenario, server: server.description, loadAverageAtStart, figures: outcome.figures! };
  } finally {
    await server.stop();
  }
}
