// connections: N idle subscribers per server (SSE, WebSocket or mixed), nothing published. Measures
// the connect rate, server memory per connection (held-memory growth of each server process and of Redis),
// the CPU the idle connections cost (heartbeats, timers) and how many stayed open.
import { measureDelivery } from '../delivery/measure-delivery.js';
import type { ServerKind } from '../servers/server-under-test.js';
import { startServer } from '../servers/start-server.js';
import type { Scenario } from '../suite/scenario.js';
import { recordRun } from './record-run.js';
import { routesFor, serversSpeaking, type TransportChoice, transportOption } from './routes-for.js';
import { SERVERS_OPTION, SERVER_PROCESSES_OPTION, processesFor, serverProcesses } from './sizing.js';

const kb = (bytes: number | null) => (bytes === null ? '–' : (bytes / 1024).toFixed(2));

export const connectionsScenario: Scenario = {
  name: 'connections',
  summary: 'N idle subscribers: connect rate, server memory per connection, idle CPU, connections held',
  example: 'npm run bench -- connections --servers tidings,nchan,socketio,soketi --transport ws --connections 10000,50000',
  options: {
    servers: SERVERS_OPTION,
    transport: transportOption('sse'),
    connections: { kind: 'ints', default: [10_000], min: 1, max: 600_000, help: 'idle connections per run (a list runs each)' },
    'idle-seconds': { kind: 'int', default: 10, min: 0, max: 600, help: 'how long idle CPU is measured' },
    'connect-seconds': { kind: 'int', default: 120, min: 5, max: 600, help: 'how long connecting may take before the rest is given up' },
    'server-processes': SERVER_PROCESSES_OPTION,
  },
  async run(options, context) {
    for (const connections of options.ints('connections')) {
      for (const transport of options.words('transport') as TransportChoice[]) {
        for (const server of serversSpeaking(options.words('servers') as ServerKind[], transport, context.log)) {
          if (context.signal.aborted) return;
          const processes = serverProcesses(server, connections, options.int('server-processes'));
          await recordRun(context, server, { transport, connections, serverProcesses: processes }, async () => {
            const started = await startServer(server, { processes, connections });
            try {
              const { idle } = await measureDelivery(
                started,
                {
                  routes: routesFor(started, transport)!,
                  connections,
                  generatorProcesses: processesFor(connections),
                  sampleEvery: 64,
                  connectSeconds: options.int('connect-seconds'),
                  idleSeconds: options.int('idle-seconds'),
                  stallSeconds: 5,
                  drainSeconds: 10,
                },
                context,
              );
              const held = idle.connections.ready - (idle.idleCpu?.dropped ?? 0);
              return {
                description: started.description,
                figures: { ...idle, held },
                summary:
                  `${held}/${connections} held (${idle.connections.perSecond}/s connects), ${kb(idle.memory.serverBytesPerConnection)} KB server ` +
                  `(${kb(idle.memory.serverBytesPerConnectionMarginal)} KB for the second half) + ` +
                  `${kb(idle.memory.redisBytesPerConnection)} KB Redis per connection, idle CPU ${idle.idleCpu?.serverCoresBusy ?? '–'} cores`,
              };
            } finally {
              await started.stop();
            }
          });
        }
      }
    }
  },
};
