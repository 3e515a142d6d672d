// One fan-out scenario from start to end: start the server, connect the subscribers, measure
// idle memory, publish (paced or burst) while every connection checks every event, then add up
// deliveries, latency and the CPU every process spent. Everything started here is stopped here,
// whatever happens.
import { loadavg } from 'node:os';
import { LoadGenerator, type CpuTimes, cpuSince, readMachineCpu, sumCpu, sumPss } from '../loadgen/index.js';
import { startFloor } from '../servers/floor-server.js';
import { startNchan } from '../servers/nchan-server.js';
import type { ServerUnderTest } from '../servers/server-under-test.js';
import { startTidings } from '../servers/tidings-server.js';
import type { FanoutScenario } from './fanout-options.js';
import { type FanoutFigures, type Measurements, fanoutFigures } from './fanout-figures.js';
import { Publisher } from './publisher.js';

/** Idle memory is read this long after the last connect, once allocations have settled. */
const SETTLE_MS = 2000;
/** Bound on events per run, whatever the mode. */
const MAX_EVENTS = 1_000_000;

export interface FanoutResult {
  readonly scenario: FanoutScenario;
  readonly server: string;
  /** The machine's 1-minute load average when the scenario began: was anything else running? */
  readonly loadAverageAtStart: number;
  readonly figures: FanoutFigures;
}

export interface RunHooks {
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
  /** Wait between the last connect and the idle-memory reading; 2 s unless a smoke test is in a hurry. */
  readonly settleMs?: number;
}

function startServer(scenario: FanoutScenario): Promise<ServerUnderTest> {
  switch (scenario.server) {
    case 'tidings':
      return startTidings({ edges: scenario.serverProcesses });
    case 'floor':
      return startFloor({ processes: scenario.serverProcesses });
    case 'nchan':
      return startNchan({ workers: scenario.serverProcesses, connections: scenario.subscribers });
  }
}

function processCpu(): CpuTimes {
  const usage = process.cpuUsage();
  return { userSeconds: usage.user / 1e6, systemSeconds: usage.system / 1e6 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runFanoutScenario(scenario: FanoutScenario, hooks: RunHooks): Promise<FanoutResult> {
  const loadAverageAtStart = Math.round(loadavg()[0]! * 100) / 100;
  const server = await startServer(scenario);
  let generator: LoadGenerator | undefined;
  const publisher = new Publisher(server);
  try {
    const serverPids = server.serverPids();
    const redisPids = server.redisPid === undefined ? [] : [server.redisPid];
    const serverBefore = sumPss(serverPids);
    const redisBefore = redisPids.length > 0 ? sumPss(redisPids) : null;

    let lastProgress = 0;
    generator = await LoadGenerator.start({
      targets: server.targets,
      transport: scenario.transport,
      path: server.subscribePath(scenario.transport),
      wsSubscribe: scenario.transport === 'ws' ? server.wsSubscribe : null,
      connections: scenario.subscribers,
      processes: scenario.generatorProcesses,
      sampleEvery: scenario.sampleEvery,
      onProgress: (ready, failed, total) => {
        if (Date.now() - lastProgress < 2000) return;
        lastProgress = Date.now();
        hooks.log(`  connecting: ${ready}/${total} ready, ${failed} failed`);
      },
    });
    const connect = generator.connected;
    if (connect.failed > 0) hooks.log(`  ${connect.failed} connections failed: ${JSON.stringify(connect.failures)}`);
    if (connect.ready === 0) throw new Error('no subscriber connected');
    await sleep(hooks.settleMs ?? SETTLE_MS);
    const serverAfter = sumPss(serverPids);
    const redisAfter = redisPids.length > 0 ? sumPss(redisPids) : null;
    const generatorPss = sumPss(generator.pids);
    if (hooks.signal.aborted) throw new Error('interrupted');

    const cpuBefore = { server: sumCpu(serverPids), redis: sumCpu(redisPids), generator: sumCpu(generator.pids), publisher: processCpu(), machine: readMachineCpu() };
    const wallBefore = performance.now();
    hooks.log(`  ${connect.ready} subscribers ready in ${connect.seconds.toFixed(1)} s; publishing (${scenario.mode}, ${scenario.seconds} s)`);
    const published = await publisher.run(
      { mode: scenario.mode, seconds: scenario.seconds, intervalMs: scenario.intervalMs, payloadBytes: scenario.payloadBytes, maxEvents: MAX_EVENTS },
      hooks.signal,
    );
    const load = await generator.finish(published.events, { stallMs: scenario.stallSeconds * 1000, maxMs: scenario.drainSeconds * 1000 });
    const machine = readMachineCpu();
    const measurements: Measurements = {
      subscribers: scenario.subscribers,
      connect,
      pss: { serverBefore, serverAfter, redisBefore, redisAfter, generator: generatorPss },
      publish: { ...published, latency: published.latency.snapshot() },
      load: { ...load, latency: load.latency.snapshot() },
      cpu: {
        server: cpuSince(cpuBefore.server, sumCpu(serverPids)),
        redis: redisPids.length > 0 ? cpuSince(cpuBefore.redis, sumCpu(redisPids)) : null,
        generator: cpuSince(cpuBefore.generator, sumCpu(generator.pids)),
        publisher: cpuSince(cpuBefore.publisher, processCpu()),
        machineBusySeconds: machine.busySeconds - cpuBefore.machine.busySeconds,
        machineTotalSeconds: machine.totalSeconds - cpuBefore.machine.totalSeconds,
        wallSeconds: (performance.now() - wallBefore) / 1000,
      },
    };
    return { scenario, server: server.description, loadAverageAtStart, figures: fanoutFigures(measurements) };
  } finally {
    publisher.close();
    await generator?.stop();
    await server.stop();
  }
}
