// fanout: one channel, N subscribers, per server: paced (fixed interval), burst (next publish as
// soon as the previous is answered, one in flight) and stepped open-loop rates until p99 degrades.
// Deliveries per second and per server CPU-second, latency percentiles, loss (must be 0).
import type { ServerKind } from '../servers/server-under-test.js';
import { startServer } from '../servers/start-server.js';
import type { Scenario } from '../suite/scenario.js';
import { FANOUT_MODES, FANOUT_RUN_OPTIONS, type FanoutMode, measureFanout } from './fanout-run.js';
import { recordRun } from './record-run.js';
import { serversSpeaking, type TransportChoice, transportOption } from './routes-for.js';
import { SERVERS_OPTION, SERVER_PROCESSES_OPTION, serverProcesses } from './sizing.js';

export const fanoutScenario: Scenario = {
  name: 'fanout',
  summary: 'one channel, N subscribers: paced, burst and stepped rates; deliveries per server CPU-second, latency, loss',
  example: 'npm run bench -- fanout --servers tidings,nchan,socketio,soketi --transport ws --subscribers 10000 --mode paced,burst',
  options: {
    servers: SERVERS_OPTION,
    transport: transportOption('sse'),
    subscribers: { kind: 'ints', default: [1000], min: 1, max: 600_000, help: 'subscribers on the channel (a list runs each)' },
    mode: { kind: 'words', default: ['paced', 'burst'], allowed: FANOUT_MODES, help: 'paced, burst, stepped' },
    'server-processes': SERVER_PROCESSES_OPTION,
    ...FANOUT_RUN_OPTIONS,
  },
  async run(options, context) {
    for (const subscribers of options.ints('subscribers')) {
      for (const transport of options.words('transport') as TransportChoice[]) {
        for (const mode of options.words('mode') as FanoutMode[]) {
          for (const server of serversSpeaking(options.words('servers') as ServerKind[], transport, context.log)) {
            if (context.signal.aborted) return;
            const processes = serverProcesses(server, subscribers, options.int('server-processes'));
            await recordRun(context, server, { transport, subscribers, mode, serverProcesses: processes }, async () => {
              const started = await startServer(server, { processes, connections: subscribers });
              try {
                return await measureFanout(started, { transport, subscribers, mode }, options, context);
              } finally {
                await started.stop();
              }
            });
          }
        }
      }
    }
  },
};
