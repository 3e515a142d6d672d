// many-channels: M channels × K subscribers on Tidings, each subscriber following one channel by
// its exact name or by an MQTT wildcard that matches only it (`bench/c7/+`, `bench/c7/#`), so every
// connection still checks one sequence. Each round publishes one event to every channel in batch
// requests (POST /v1/publish, at most 100 events each).
import { measureDelivery } from '../delivery/measure-delivery.js';
import type { RequestsFor } from '../fanout/publisher.js';
import { MAX_EVENTS } from '../fanout/run-fanout-scenario.js';
import type { Route } from '../loadgen/index.js';
import type { PublishRequest } from '../servers/server-under-test.js';
import { startTidings, tidingsRoute } from '../servers/tidings-server.js';
import type { Scenario } from '../suite/scenario.js';
import { recordRun } from './record-run.js';
import { type TransportChoice, transportOption } from './routes-for.js';
import { processesFor } from './sizing.js';

/** The edge's default limit on one batch. */
const BATCH = 100;
const channelName = (i: number) => `bench/c${i}/feed`;
const SUBSCRIPTIONS = [(i: number) => channelName(i), (i: number) => `bench/c${i}/+`, (i: number) => `bench/c${i}/#`];

function routes(channels: number, transport: TransportChoice): Route[] {
  const transports = transport === 'mixed' ? (['sse', 'ws'] as const) : [transport];
  return Array.from({ length: channels }, (_, i) => SUBSCRIPTIONS.flatMap((subscription) => transports.map((t) => tidingsRoute(t, subscription(i))))).flat();
}

function batches(channels: number): RequestsFor {
  return (data) => {
    const requests: PublishRequest[] = [];
    for (let first = 0; first < channels; first += BATCH) {
      const events = Array.from({ length: Math.min(BATCH, channels - first) }, (_, k) => ({ channel: channelName(first + k), data }));
      requests.push({ path: '/v1/publish', body: JSON.stringify({ events }), contentType: 'application/json' });
    }
    return requests;
  };
}

export const manyChannelsScenario: Scenario = {
  name: 'many-channels',
  summary: 'M channels × K subscribers on Tidings, exact and wildcard subscriptions, one event per channel per round',
  example: 'npm run bench -- many-channels --channels 100 --per-channel 30 --transport mixed',
  options: {
    channels: { kind: 'int', default: 100, min: 1, max: 10_000, help: 'channels (M)' },
    'per-channel': { kind: 'int', default: 30, min: 1, max: 100_000, help: 'subscribers per channel (K): a third exact, a third `+`, a third `#`' },
    transport: transportOption('mixed'),
    seconds: { kind: 'int', default: 10, min: 1, max: 600, help: 'how long to publish' },
    'interval-ms': { kind: 'int', default: 200, min: 1, max: 60_000, help: 'time between rounds (one event per channel each)' },
    'payload-bytes': { kind: 'int', default: 64, min: 32, max: 16_000, help: "each event's data size" },
  },
  async run(options, context) {
    const channels = options.int('channels');
    const connections = channels * options.int('per-channel');
    for (const transport of options.words('transport') as TransportChoice[]) {
      if (context.signal.aborted) return;
      const edges = processesFor(connections);
      await recordRun(context, 'tidings', { transport, channels, perChannel: options.int('per-channel'), edges }, async () => {
        const server = await startTidings({ edges });
        try {
          const outcome = await measureDelivery(
            server,
            {
              routes: routes(channels, transport),
              connections,
              generatorProcesses: processesFor(connections),
              sampleEvery: 16,
              stallSeconds: 5,
              drainSeconds: 60,
              requestsFor: batches(channels),
              publish: (publisher) =>
                publisher.run({ mode: 'paced', seconds: options.int('seconds'), intervalMs: options.int('interval-ms'), payloadBytes: options.int('payload-bytes'), maxEvents: MAX_EVENTS }, context.signal),
            },
            context,
          );
          const f = outcome.figures!;
          return {
            description: server.description,
            figures: { ...f, idle: outcome.idle, eventsPublished: f.delivery.events * channels },
            summary: `${f.delivery.deliveries} deliveries over ${channels} channels (lost ${f.delivery.lost}, dup ${f.delivery.duplicates}), ${f.efficiency.deliveriesPerServerCpuSecond} per server CPU-s, p99 ${f.latencyMs.p99} ms`,
          };
        } finally {
          await server.stop();
        }
      });
    }
  },
};
