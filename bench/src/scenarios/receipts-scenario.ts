// receipts: fan-out with `ack: true` to WebSocket subscribers that each speak for a device and ack
// every event (the `ack` frame); counts receipts the edge confirmed (`acked` frames), receipts per
// second, and what they cost Redis (CPU per receipt, memory growth).
import { measureDelivery } from '../delivery/measure-delivery.js';
import { MAX_EVENTS } from '../fanout/run-fanout-scenario.js';
import { type LoadGenerator, sumPss } from '../loadgen/index.js';
import { BENCH_CHANNEL } from '../servers/server-under-test.js';
import { startTidings, tidingsRoute } from '../servers/tidings-server.js';
import type { Scenario } from '../suite/scenario.js';
import { recordRun } from './record-run.js';
import { processesFor } from './sizing.js';

/** After the last delivery, how long confirmations may keep arriving. */
const CONFIRM_LIMIT_MS = 60_000;

/** Waits until every sent ack is confirmed and `expected` were sent, or nothing moves for 5 s. */
async function confirmations(generator: LoadGenerator, expected: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + CONFIRM_LIMIT_MS;
  let last = -1;
  let lastMoved = Date.now();
  while (!signal.aborted && Date.now() < deadline) {
    const { acksSent, acksConfirmed } = generator.live();
    if (acksSent >= expected && acksConfirmed >= acksSent) return;
    if (acksConfirmed !== last) [last, lastMoved] = [acksConfirmed, Date.now()];
    else if (Date.now() - lastMoved > 5000) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const receiptsScenario: Scenario = {
  name: 'receipts',
  summary: 'fan-out with ack:true, every WebSocket device acking: receipts per second and their Redis cost',
  example: 'npm run bench -- receipts --subscribers 1000 --seconds 10 --interval-ms 200',
  options: {
    subscribers: { kind: 'ints', default: [1000], min: 1, max: 100_000, help: 'devices (WebSocket subscribers that ack)' },
    seconds: { kind: 'int', default: 10, min: 1, max: 600, help: 'how long to publish' },
    'interval-ms': { kind: 'int', default: 200, min: 1, max: 60_000, help: 'time between events' },
    'payload-bytes': { kind: 'int', default: 64, min: 32, max: 16_000, help: "each event's data size" },
  },
  async run(options, context) {
    for (const subscribers of options.ints('subscribers')) {
      if (context.signal.aborted) return;
      const edges = processesFor(subscribers);
      await recordRun(context, 'tidings', { transport: 'ws', subscribers, edges, intervalMs: options.int('interval-ms') }, async () => {
        const server = await startTidings({ edges });
        let redisBefore = 0;
        let redisAfter = 0;
        let confirmSeconds = 0;
        try {
          const outcome = await measureDelivery(
            server,
            {
              routes: [tidingsRoute('ws', BENCH_CHANNEL, { device: true, ack: true })],
              connections: subscribers,
              generatorProcesses: processesFor(subscribers),
              sampleEvery: 16,
              stallSeconds: 5,
              drainSeconds: 60,
              requestsFor: (data) => [{ path: `/v1/channels/${BENCH_CHANNEL}/events`, body: JSON.stringify({ data, ack: true }), contentType: 'application/json' }],
              publish: async (publisher, generator) => {
                redisBefore = sumPss(server.redisPids);
                const started = performance.now();
                const published = await publisher.run(
                  { mode: 'paced', seconds: options.int('seconds'), intervalMs: options.int('interval-ms'), payloadBytes: options.int('payload-bytes'), maxEvents: MAX_EVENTS },
                  context.signal,
                );
                await confirmations(generator, published.events * generator.connected.ready, context.signal);
                confirmSeconds = (performance.now() - started) / 1000;
                redisAfter = sumPss(server.redisPids);
                return published;
              },
            },
            context,
          );
          const f = outcome.figures!;
          const acks = outcome.acks ?? { sent: 0, confirmed: 0 };
          const redisCpu = f.cpuSeconds.redis?.total ?? Number.NaN;
          const receipts = {
            expected: f.delivery.events * f.connections.ready,
            sent: acks.sent,
            confirmed: acks.confirmed,
            unconfirmed: f.delivery.events * f.connections.ready - acks.confirmed,
            perSecond: Math.round(acks.confirmed / confirmSeconds),
            redisCpuMicrosPerReceipt: acks.confirmed > 0 ? Math.round((redisCpu * 1e6) / acks.confirmed) : null,
            redisPssBytesPerReceipt: acks.confirmed > 0 ? Math.round((redisAfter - redisBefore) / acks.confirmed) : null,
            edgeCpuMicrosPerReceipt: acks.confirmed > 0 ? Math.round((f.cpuSeconds.server.total * 1e6) / acks.confirmed) : null,
          };
          return {
            description: server.description,
            figures: { ...f, idle: outcome.idle, receipts },
            summary: `${receipts.confirmed}/${receipts.expected} receipts confirmed, ${receipts.perSecond}/s; Redis ${receipts.redisCpuMicrosPerReceipt} µs CPU and ${receipts.redisPssBytesPerReceipt} B per receipt; lost ${f.delivery.lost}`,
          };
        } finally {
          await server.stop();
        }
      });
    }
  },
};
