// Mosquitto (Debian's `mosquitto`) as the MQTT peer: a broker this bench starts with a generated
// config in a private directory — a websockets listener for the subscribers and a TCP listener
// for the publisher bridge, both on free loopback ports. The system Mosquitto (port 1883) is never
// touched. It is single-threaded: one process whatever the connection count.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, isRunning, makeTempDir, removeTempDir, spawnTracked, stopProcess } from '@tidings/testing';
import { portAccepts } from './port-accepts.js';
import { startNodeChild } from './node-child.js';
import { BENCH_CHANNEL, type ServerUnderTest } from './server-under-test.js';
import { mqttRoute } from './mqtt-route.js';

const MOSQUITTO = '/usr/sbin/mosquitto';
const READY_LIMIT_MS = 15_000;
// From src/ (tests) and dist/ alike: the built bridge.
const BRIDGE = fileURLToPath(new URL('../../dist/servers/mqtt-publish-bridge.js', import.meta.url));

function mosquittoVersion(): string {
  const run = spawnSync(MOSQUITTO, ['-h'], { encoding: 'utf8' });
  if (run.error !== undefined) throw new Error(`Mosquitto needs ${MOSQUITTO} (${run.error.message}): apt-get install -y mosquitto`);
  return (run.stdout + run.stderr).split('\n')[0]!.trim();
}

export async function startMosquitto(): Promise<ServerUnderTest> {
  const version = mosquittoVersion();
  const dir = makeTempDir('tidings-mosquitto-');
  const [wsPort, tcpPort] = [await freePort(), await freePort()];
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    [
      'per_listener_settings false',
      'allow_anonymous true',
      'persistence false',
      'set_tcp_nodelay true',
      'log_dest stderr',
      'log_type error',
      `listener ${wsPort} 127.0.0.1`,
      'protocol websockets',
      `listener ${tcpPort} 127.0.0.1`,
      '',
    ].join('\n'),
  );
  const broker = spawnTracked(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'inherit', 'inherit'] });
  let bridge: Awaited<ReturnType<typeof startNodeChild>> | undefined;
  const stop = async () => {
    await bridge?.stop();
    await stopProcess(broker, 10_000);
    removeTempDir(dir);
  };
  try {
    const deadline = Date.now() + READY_LIMIT_MS;
    while (!((await portAccepts(wsPort)) && (await portAccepts(tcpPort)))) {
      if (!isRunning(broker)) throw new Error('mosquitto exited at start');
      if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${wsPort} and ${tcpPort} within ${READY_LIMIT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    bridge = await startNodeChild(BRIDGE, [String(tcpPort), BENCH_CHANNEL]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    kind: 'mosquitto',
    description: `${version}; one process, websockets listener; events published at QoS 1 over TCP by a Node bridge taking the bench's HTTP publishes and answering on PUBACK (its CPU not counted); subscribers at QoS 0`,
    targets: [{ host: '127.0.0.1', port: wsPort }],
    route: () => mqttRoute('/mqtt'),
    transports: ['ws'],
    publishTargets: [{ host: '127.0.0.1', port: bridge.port }],
    publishRequest: (data) => ({ path: '/publish', body: data, contentType: 'text/plain' }),
    serverPids: () => [broker.pid!],
    redisPids: [],
    stop,
  };
}
