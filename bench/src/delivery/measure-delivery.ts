// The measuring core every subscriber scenario shares, against a server already started: connect
// the subscribers, read idle memory (and idle CPU when asked), publish while every connection
// checks every event, wait for the last deliveries, and add up deliveries, latency and the CPU
// every process spent. The generator it starts is stopped here, whatever happens; the server
// belongs to the caller.
import { LoadGenerator, type CpuTimes, type LoadReport, type Route, cpuSince, readHeldBytes, readMachineCpu, sumCpu, sumHeld } from '../loadgen/index.js';
import type { ServerUnderTest } from '../servers/server-under-test.js';
import { type FanoutFigures, heldPerConnection, MEMORY_METHOD, type Measurements, fanoutFigures } from '../fanout/fanout-figures.js';
import { Publisher, type PublishOutcome, type RequestsFor } from '../fanout/publisher.js';
import { startProgressTicker } from './progress-ticker.js';

export interface DeliveryHooks {
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
  /** Wait between the last connect and the idle-memory reading; 2 s unless a smoke test is in a hurry. */
  readonly settleMs?: number;
}

export interface DeliveryPlan {
  readonly routes: readonly Route[];
  readonly connections: number;
  readonly generatorProcesses?: number;
  readonly sampleEvery: number;
  /** How long connecting may take before the rest is given up (the generator's default when absent: 120 s). */
  readonly connectSeconds?: number;
  /** Seconds of idle CPU to measure after the memory reading (heartbeats only); 0 skips it. */
  readonly idleSeconds?: number;
  /** Publishes with the given publisher; sequence numbers start at 1. Absent: connections only. */
  readonly publish?: (publisher: Publisher, generator: LoadGenerator) => Promise<PublishOutcome>;
  /** What one event's publish sends; the server's bench channel when absent. */
  readonly requestsFor?: RequestsFor;
  readonly stallSeconds: number;
  readonly drainSeconds: number;
}

/** Idle figures: what holding the connections costs with nothing published. */
export interface IdleFigures {
  readonly connections: { readonly requested: number; readonly ready: number; readonly failed: number; readonly failures: Readonly<Record<string, number>>; readonly seconds: number; readonly perSecond: number };
  /** Growth per connection of the memory the server processes and Redis hold themselves, bytes (see HeldReadings). */
  readonly memory: {
    readonly method: string;
    /** From before the first connect: with what each process pays once when traffic starts. */
    readonly serverBytesPerConnection: number;
    /** Over the second half of the connections: what one more costs. */
    readonly serverBytesPerConnectionMarginal: number;
    readonly redisBytesPerConnection: number | null;
    /** Each server process's growth over the second half, bytes (a shrinking one makes the figure noise). */
    readonly serverGrowthBytesPerProcess: readonly number[];
    readonly generatorBytesPerConnection: number;
  };
  /** CPU while idle, per second of wall time (heartbeats, timers); null when not measured. */
  readonly idleCpu: { readonly seconds: number; readonly serverCoresBusy: number; readonly redisCoresBusy: number | null; readonly dropped: number } | null;
}

export interface DeliveryOutcome {
  readonly idle: IdleFigures;
  /** Null for a connections-only plan. */
  readonly figures: FanoutFigures | null;
  readonly acks: { readonly sent: number; readonly confirmed: number } | null;
}

const SETTLE_MS = 2000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function processCpu(): CpuTimes {
  const usage = process.cpuUsage();
  return { userSeconds: usage.user / 1e6, systemSeconds: usage.system / 1e6 };
}

const total = (t: CpuTimes) => t.userSeconds + t.systemSeconds;
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const round = (n: number, digits = 4) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function measureDelivery(server: ServerUnderTest, plan: DeliveryPlan, hooks: DeliveryHooks): Promise<DeliveryOutcome> {
  const serverPids = server.serverPids();
  const redisPids = server.redisPids;
  const serverBefore = sumHeld(serverPids);
  const redisBefore = redisPids.length > 0 ? sumHeld(redisPids) : null;
  let generator: LoadGenerator | undefined;
  let stopTicker = () => undefined as void;
  const publisher = new Publisher(server, plan.requestsFor);
  try {
    let lastConnectLog = 0;
    generator = await LoadGenerator.start({
      targets: server.targets,
      routes: plan.routes,
      connections: plan.connections,
      ...(plan.generatorProcesses === undefined ? {} : { processes: plan.generatorProcesses }),
      sampleEvery: plan.sampleEvery,
      connectFirst: Math.floor(plan.connections / 2),
      ...(plan.connectSeconds === undefined ? {} : { connectTimeoutMs: plan.connectSeconds * 1000 }),
      signal: hooks.signal,
      onProgress: (ready, failed, all) => {
        if (Date.now() - lastConnectLog < 2000) return;
        lastConnectLog = Date.now();
        hooks.log(`  connecting: ${ready}/${all} ready, ${failed} failed`);
      },
    });
    // Memory is read at half the connections too: the second half shows what a connection costs,
    // without what each process pays once whatever it serves (see HeldReadings).
    await sleep(hooks.settleMs ?? SETTLE_MS);
    if (hooks.signal.aborted) throw new Error('interrupted');
    const halfwayReady = generator.connected.ready;
    const perProcessHalfway = serverPids.map(readHeldBytes);
    const redisHalfway = redisPids.length > 0 ? sumHeld(redisPids) : null;
    hooks.log(`  ${halfwayReady} ready; connecting the rest`);
    await generator.connectRest(hooks.signal);
    const connect = generator.connected;
    if (connect.failed > 0) hooks.log(`  ${connect.failed} connections failed: ${JSON.stringify(connect.failures)}`);
    if (connect.ready === 0) throw new Error('no subscriber connected');
    await sleep(hooks.settleMs ?? SETTLE_MS);
    if (hooks.signal.aborted) throw new Error('interrupted');
    const perProcessAfter = serverPids.map(readHeldBytes);
    const held: Measurements['held'] = {
      server: { before: serverBefore, halfway: sum(perProcessHalfway), after: sum(perProcessAfter) },
      redis: redisBefore === null || redisHalfway === null ? null : { before: redisBefore, halfway: redisHalfway, after: sumHeld(redisPids) },
      halfwayReady,
      generator: sumHeld(generator.pids),
    };
    const perProcess = perProcessAfter.map((bytes, i) => bytes - perProcessHalfway[i]!);
    const serverGrowth = heldPerConnection(held.server, halfwayReady, connect.ready);
    stopTicker = startProgressTicker(generator, plan.connections, hooks.log);

    let idleCpu: IdleFigures['idleCpu'] = null;
    if ((plan.idleSeconds ?? 0) > 0) {
      hooks.log(`  ${connect.ready} connections ready in ${connect.seconds.toFixed(1)} s; idle for ${plan.idleSeconds} s`);
      const before = { server: sumCpu(serverPids), redis: sumCpu(redisPids), at: performance.now() };
      const until = performance.now() + plan.idleSeconds! * 1000;
      while (performance.now() < until && !hooks.signal.aborted) await sleep(Math.min(250, until - performance.now()));
      if (hooks.signal.aborted) throw new Error('interrupted');
      const wall = (performance.now() - before.at) / 1000;
      idleCpu = {
        seconds: round(wall, 2),
        serverCoresBusy: round(total(cpuSince(before.server, sumCpu(serverPids))) / wall),
        redisCoresBusy: redisPids.length > 0 ? round(total(cpuSince(before.redis, sumCpu(redisPids))) / wall) : null,
        dropped: generator.live().dropped,
      };
    }
    const idle: IdleFigures = {
      connections: {
        requested: plan.connections,
        ready: connect.ready,
        failed: connect.failed,
        failures: connect.failures,
        seconds: round(connect.seconds, 3),
        perSecond: Math.round(connect.ready / connect.seconds),
      },
      memory: {
        method: MEMORY_METHOD,
        serverBytesPerConnection: serverGrowth.fromStart,
        serverBytesPerConnectionMarginal: serverGrowth.marginal,
        redisBytesPerConnection: held.redis === null ? null : heldPerConnection(held.redis, halfwayReady, connect.ready).fromStart,
        serverGrowthBytesPerProcess: perProcess,
        generatorBytesPerConnection: Math.round(held.generator / connect.ready),
      },
      idleCpu,
    };
    if (plan.publish === undefined) return { idle, figures: null, acks: null };
    if (hooks.signal.aborted) throw new Error('interrupted');

    const cpuBefore = { server: sumCpu(serverPids), redis: sumCpu(redisPids), generator: sumCpu(generator.pids), publisher: processCpu(), machine: readMachineCpu() };
    const wallBefore = performance.now();
    hooks.log(`  ${connect.ready} subscribers ready in ${connect.seconds.toFixed(1)} s; publishing`);
    const published = await plan.publish(publisher, generator);
    if (hooks.signal.aborted) throw new Error('interrupted');
    const load: LoadReport = await generator.finish(published.lastSeq, { stallMs: plan.stallSeconds * 1000, maxMs: plan.drainSeconds * 1000 });
    const machine = readMachineCpu();
    const measurements: Measurements = {
      subscribers: plan.connections,
      connect,
      held,
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
    const acks = load.acksSent > 0 ? { sent: load.acksSent, confirmed: load.acksConfirmed } : null;
    return { idle, figures: fanoutFigures(measurements), acks };
  } finally {
    stopTicker();
    publisher.close();
    await generator?.stop();
  }
}
