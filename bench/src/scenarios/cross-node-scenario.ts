// cross-node: three Tidings edges on a three-master Redis Cluster, subscribers spread over the
// edges, events published through the first: the fan-out figures when every event crosses nodes.
import { startTidings } from '../servers/tidings-server.js';
import type { Scenario } from '../suite/scenario.js';
import { FANOUT_MODES, FANOUT_RUN_OPTIONS, type FanoutMode, measureFanout } from './fanout-run.js';
import { recordRun } from './record-run.js';
import { type TransportChoice, transportOption } from './routes-for.js';

export const crossNodeScenario: Scenario = {
  name: 'cross-node',
  summary: 'three edges and a Redis Cluster: fan-out with subscribers on every edge, published through one',
  example: 'npm run bench -- cross-node --subscribers 3000 --transport mixed --mode paced,burst',
  options: {
    edges: { kind: 'int', default: 3, min: 1, max: 16, help: 'edge processes, each on its own port' },
    transport: transportOption('mixed'),
    subscribers: { kind: 'ints', default: [3000], min: 1, max: 300_000, help: 'subscribers, spread over the edges' },
    mode: { kind: 'words', default: ['paced', 'burst'], allowed: FANOUT_MODES, help: 'paced, burst, stepped' },
    ...FANOUT_RUN_OPTIONS,
  },
  async run(options, context) {
    const edges = options.int('edges');
    for (const subscribers of options.ints('subscribers')) {
      for (const transport of options.words('transport') as TransportChoice[]) {
        for (const mode of options.words('mode') as FanoutMode[]) {
          if (context.signal.aborted) return;
          await recordRun(context, 'tidings', { transport, subscribers, mode, edges, redis: 'cluster' }, async () => {
            const started = await startTidings({ edges, cluster: true });
            try {
              return await measureFanout(started, { transport, subscribers, mode }, options, context);
            } finally {
              await started.stop();
            }
          });
        }
      }
    }
  },
};
