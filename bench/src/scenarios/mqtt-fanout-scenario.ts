// mqtt-fanout: one channel, N MQTT-over-WebSocket subscribers (a lean MQTT client in the load
// generator: CONNECT + SUBSCRIBE at QoS 0, every PUBLISH checked for sequence, duplicates and
// order like the SSE and WebSocket ones), on Tidings' /mqtt and on Mosquitto's websockets
// listener in the same run: paced and burst, deliveries per server CPU-second, latency, loss.
import type { ServerUnderTest } from '../servers/server-under-test.js';
import { startServer } from '../servers/start-server.js';
import { mqttRoute } from '../servers/mqtt-route.js';
import type { Scenario } from '../suite/scenario.js';
import { FANOUT_RUN_OPTIONS, type FanoutMode, measureFanout } from './fanout-run.js';
import { recordRun } from './record-run.js';
import { SERVER_PROCESSES_OPTION, serverProcesses } from './sizing.js';

const MQTT_SERVERS = ['tidings', 'mosquitto'] as const;

/** The server as its MQTT subscribers see it: Tidings' edges answer MQTT on /mqtt. */
function overMqtt(server: ServerUnderTest): ServerUnderTest {
  return server.kind === 'tidings' ? { ...server, route: () => mqttRoute('/mqtt'), transports: ['ws'] } : server;
}

export const mqttFanoutScenario: Scenario = {
  name: 'mqtt-fanout',
  summary: 'one channel, N MQTT-over-WebSocket subscribers, Tidings beside Mosquitto: deliveries per server CPU-second, latency, loss',
  example: 'npm run bench -- mqtt-fanout --servers tidings,mosquitto --subscribers 10000 --mode paced,burst',
  options: {
    servers: { kind: 'words', default: [...MQTT_SERVERS], allowed: MQTT_SERVERS, help: 'servers to measure, each in turn' },
    subscribers: { kind: 'ints', default: [1000], min: 1, max: 600_000, help: 'subscribers on the channel (a list runs each)' },
    mode: { kind: 'words', default: ['paced', 'burst'], allowed: ['paced', 'burst'], help: 'paced, burst' },
    'server-processes': SERVER_PROCESSES_OPTION,
    ...FANOUT_RUN_OPTIONS,
  },
  async run(options, context) {
    for (const subscribers of options.ints('subscribers')) {
      for (const mode of options.words('mode') as FanoutMode[]) {
        for (const server of options.words('servers') as (typeof MQTT_SERVERS)[number][]) {
          if (context.signal.aborted) return;
          const processes = server === 'mosquitto' ? 1 : serverProcesses(server, subscribers, options.int('server-processes'));
          await recordRun(context, server, { transport: 'mqtt-ws', subscribers, mode, serverProcesses: processes }, async () => {
            const started = await startServer(server, { processes, connections: subscribers });
            try {
              return await measureFanout(overMqtt(started), { transport: 'ws', subscribers, mode }, options, context);
            } finally {
              await started.stop();
            }
          });
        }
      }
    }
  },
};
