// Reconnect storm: tens of thousands of durable devices (WebSocket mostly, some SSE and long-poll,
// each with a device id) held by the load generator's processes against an edge group of several
// processes sharing one port, while one idempotent publisher per channel publishes steadily. Then
// every device is cut off at once — its connection reset (as by a failed balancer or network), or
// every edge process killed with SIGKILL and started again by the group's supervisor — and each
// reconnects after the JS client's own backoff (full jitter) and resumes from its position. Every
// device must end with every event of its channel once, in order; the time until each has an event
// published after the cut, the reconnect attempts and refusals, and the edges' memory and CPU
// through the storm are measured. The full run has two storms in a row, so that what one leaves
// behind would show as growth.
import { DeliveryLedger, type ScenarioReport, SteadyPublisher, startEdge, startRedisServer, waitUntil } from '@tidings/testing';
import { eventData, type LatencyHistogram, LoadGenerator, type LoadReport, readListenOverflows, type Route, type Transport, wallMicros } from '../loadgen/index.js';
import { tidingsRoute } from '../servers/tidings-server.js';
import { EdgeGroupWatch } from './edge-group-watch.js';

export interface StormScale {
  /** Durable devices in all: of every ten, eight WebSocket, one SSE, one long-poll. */
  readonly devices: number;
  readonly generatorProcesses: number;
  /** Edge processes sharing the port (`--processes`). */
  readonly edgeProcesses: number;
  /** Pause between one channel's events. */
  readonly paceMs: number;
  /** Storms in a row: a second shows whether what the first left behind (memory, sessions) grows. */
  readonly storms: number;
  /** Publishing before the first cut, and after every device has recovered from each. */
  readonly secondsBefore: number;
  readonly secondsAfter: number;
}

export const STORM_CI: StormScale = { devices: 300, generatorProcesses: 2, edgeProcesses: 2, paceMs: 100, storms: 1, secondsBefore: 2, secondsAfter: 2 };
// Under 20,000 open files per process on each side: 8k devices per generator and per edge process.
export const STORM_FULL: StormScale = { devices: 24_000, generatorProcesses: 3, edgeProcesses: 3, paceMs: 500, storms: 2, secondsBefore: 10, secondsAfter: 10 };

/** How every device is cut off at once: its connection reset, or every edge process killed. */
export type StormCut = 'reset' | 'edge-kill';

export interface StormReport extends ScenarioReport {
  readonly devices: Readonly<Record<Transport, number>>;
  readonly generatorProcesses: number;
  readonly edgeProcesses: number;
  readonly connectSeconds: number;
  /** Reconnect attempts in all (one per device at least), those ready again, those refused. */
  readonly reconnectAttempts: number;
  readonly resumed: number;
  readonly refusedConnections: number;
  /** Reconnect attempts that failed, by reason. */
  readonly attemptFailures: Readonly<Record<string, number>>;
  /** Cut → each device's first event published after it (ms), over the devices and storms; how many got there from the last cut. */
  readonly recoveryMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly recovered: number;
  /** Per storm: from the cut until the last device had recovered (ms). */
  readonly stormRecoveryMs: readonly number[];
  /** The longest one event took its publisher, first attempt to id (retries included). */
  readonly slowestPublishMs: number;
  readonly edges: EdgeFigures;
}

export interface EdgeFigures {
  /** All edge processes together (PSS): just before the first cut, and at the peak of the run. */
  readonly pssBeforeMB: number;
  readonly pssPeakMB: number;
  /** The same after each storm, every device back and publishing still going (as before the cut). */
  readonly pssAfterMB: readonly number[];
  /** Per storm: CPU the edge processes spent from the cut until every device had recovered. */
  readonly stormCpuSeconds: readonly number[];
  /**
   * Per storm, cut to recovery: connections the kernel dropped because an accept queue was full
   * (machine-wide, but the storm is what runs then); each such client tries again 1, 3, 7 s later.
   */
  readonly listenOverflows: readonly number[];
  /** Edge processes the group's supervisor started again after they ended: the killed ones, with edge-kill. */
  readonly restarted: number;
  /**
   * Subscriber connections the edges counted (`tidings_edge_connections`, the whole group) once
   * every device was back: a session the storm left behind would show as one too many.
   */
  readonly connectionsAfter: Readonly<Record<string, number>>;
}

const CHANNELS = ['storm/a', 'storm/b', 'storm/c'];
const TRANSPORT_SHARES: readonly Transport[] = ['ws', 'ws', 'ws', 'ws', 'ws', 'ws', 'ws', 'ws', 'sse', 'poll'];
/** Route r follows CHANNELS[r % CHANNELS.length]. */
const ROUTES: readonly Route[] = TRANSPORT_SHARES.flatMap((transport) => CHANNELS.map((channel) => tidingsRoute(transport, channel, { device: true })));
const EVENT_BYTES = 64;
/** Guards against a hang, not measures: the report says what did not happen in time. */
const RECOVERY_LIMIT_MS = 180_000;
const DRAIN = { stallMs: 15_000, maxMs: 120_000 };

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

export async function reconnectStorm(scale: StormScale, cut: StormCut = 'reset'): Promise<StormReport> {
  const redis = await startRedisServer();
  try {
    const edge = await startEdge({ redisUrl: redis.url, args: ['--processes', String(scale.edgeProcesses)] });
    try {
      return await stormAgainst(edge, scale, cut);
    } finally {
      await edge.stop();
    }
  } finally {
    await redis.stop();
  }
}

async function stormAgainst(edge: { readonly pid: number; readonly port: number; readonly url: string }, scale: StormScale, cut: StormCut): Promise<StormReport> {
  const unexpected: string[] = [];
  const watch = new EdgeGroupWatch(edge.pid);
  let generator: LoadGenerator | undefined;
  const ledger = new DeliveryLedger();
  const publishers = CHANNELS.map((channel, c) => new SteadyPublisher(`storm-p${c}`, edge.url, [channel], ledger, scale.paceMs, false, (n) => eventData(n + 1, wallMicros(), EVENT_BYTES)));
  const seqByRoute = () => ROUTES.map((_, r) => publishers[r % CHANNELS.length]!.published);
  try {
    // Reconnects with the JS client's backoff as it ships: its default settings.
    const started = await LoadGenerator.start({ targets: [{ host: '127.0.0.1', port: edge.port }], routes: ROUTES, connections: scale.devices, processes: scale.generatorProcesses, reconnect: {} });
    generator = started;
    if (generator.connected.failed > 0) unexpected.push(`${generator.connected.failed} devices failed to connect: ${JSON.stringify(generator.connected.failures)}`);
    const publishing = Promise.all(publishers.map((p) => p.run(Number.MAX_SAFE_INTEGER)));
    await sleep(scale.secondsBefore * 1000);
    const pssBefore = watch.sample();
    const storms: StormFigures[] = [];
    let killed = 0;
    for (let n = 1; n <= scale.storms; n++) {
      const cpuBefore = watch.cpuMark();
      const overflowsBefore = readListenOverflows();
      const cutAt = Date.now();
      started.cut(cut === 'reset', seqByRoute());
      if (cut === 'edge-kill') killed += killMembers(watch);
      // Progress counts come once a second: those of the cut before do not count.
      const recovered = await waitUntil(() => started.live().cuts === n && started.live().recovered >= started.connected.ready, 'every device to recover', RECOVERY_LIMIT_MS, 100).then(
        () => true,
        () => false,
      );
      const recoveryMs = Date.now() - cutAt;
      if (!recovered) unexpected.push(`devices still not recovered ${RECOVERY_LIMIT_MS} ms after cut ${n}`);
      const cpuSeconds = watch.cpuSince(cpuBefore);
      const listenOverflows = readListenOverflows() - overflowsBefore;
      await sleep(scale.secondsAfter * 1000);
      storms.push({ recoveryMs, cpuSeconds, listenOverflows, pssAfter: watch.sample() }); // every device back, as before the cut
    }
    for (const p of publishers) p.stop();
    await publishing;
    const { connections: connectionsAfter, restarts: restarted } = await groupMetrics(edge.url);
    const load = await generator.finish(0, DRAIN, seqByRoute());
    unexpected.push(...endChecks(scale, started, load, watch.alive(), connectionsAfter, restarted - killed), ...publishers.flatMap((p) => p.unexpected));
    const edges = {
      pssBeforeMB: mb(pssBefore),
      pssPeakMB: mb(watch.peak),
      pssAfterMB: storms.map((s) => mb(s.pssAfter)),
      stormCpuSeconds: storms.map((s) => Math.round(s.cpuSeconds * 10) / 10),
      listenOverflows: storms.map((s) => s.listenOverflows),
      restarted,
      connectionsAfter,
    };
    return report(cut === 'reset' ? 'reconnect-storm' : 'reconnect-storm-edge-kill', scale, started, load, publishers, unexpected, edges, storms);
  } finally {
    for (const p of publishers) p.stop();
    watch.stop();
    await generator?.stop();
  }
}

/** One storm as the coordinator saw it: until the last device recovered (to within the 1-s progress messages), the edges' CPU and the accept-queue overflows meanwhile, their PSS after. */
interface StormFigures {
  readonly recoveryMs: number;
  readonly cpuSeconds: number;
  readonly listenOverflows: number;
  readonly pssAfter: number;
}

function report(
  scenario: string,
  scale: StormScale,
  generator: LoadGenerator,
  load: LoadReport,
  publishers: readonly SteadyPublisher[],
  unexpected: string[],
  edges: EdgeFigures,
  storms: readonly StormFigures[],
): StormReport {
  const devices = devicesByTransport(scale.devices);
  const recovery: LatencyHistogram = load.recovery;
  const ms = (micros: number) => Math.round(micros / 1000);
  const failures = Object.values(load.attemptFailures).reduce((a, b) => a + b, 0);
  const tookMs = publishers.flatMap((p) => p.tookMs).sort((a, b) => a - b);
  const at = (q: number) => tookMs[Math.min(tookMs.length - 1, Math.floor(q * tookMs.length))] ?? 0;
  return {
    scenario,
    clients: scale.devices + publishers.length,
    published: publishers.reduce((n, p) => n + p.published, 0),
    subscribers: load.connections,
    // (device, event) pairs: the generator counts per device, not which events.
    missing: load.lost,
    missingEvents: load.lost,
    duplicated: load.duplicates,
    outOfOrder: load.outOfOrder,
    resets: 0,
    faults: [],
    refused: publishers.reduce((n, p) => n + p.refused, 0),
    failedAttempts: publishers.reduce((n, p) => n + p.failed, 0),
    unexpected,
    reconnects: load.resumed + failures,
    maxRecoveryMs: ms(recovery.max),
    publishMs: { p50: at(0.5), p99: at(0.99) },
    lostByRedis: 0,
    lossWindowMs: 0,
    missingKept: load.lost,
    devices,
    generatorProcesses: scale.generatorProcesses,
    edgeProcesses: scale.edgeProcesses,
    connectSeconds: Math.round(generator.connected.seconds * 10) / 10,
    reconnectAttempts: load.resumed + failures,
    resumed: load.resumed,
    refusedConnections: load.attemptFailures['ECONNREFUSED'] ?? 0,
    attemptFailures: load.attemptFailures,
    recoveryMs: { p50: ms(recovery.percentile(50)), p99: ms(recovery.percentile(99)), max: ms(recovery.max) },
    recovered: load.recovered,
    stormRecoveryMs: storms.map((s) => s.recoveryMs),
    slowestPublishMs: Math.max(0, ...publishers.map((p) => p.slowestMs)),
    edges,
  };
}

/** SIGKILL of every member of the group at once; returns how many. */
function killMembers(watch: EdgeGroupWatch): number {
  const members = watch.members();
  for (const pid of members) process.kill(pid, 'SIGKILL');
  return members.length;
}

/** What the end of the run says went wrong, besides the counts of the report. */
function endChecks(scale: StormScale, generator: LoadGenerator, load: LoadReport, groupAlive: boolean, connectionsAfter: Readonly<Record<string, number>>, unplannedExits: number): string[] {
  const wrong: string[] = [];
  if (load.drainEnd !== 'complete') wrong.push(`the drain ended '${load.drainEnd}' with ${load.incomplete} devices incomplete`);
  if (load.connections !== generator.connected.ready) wrong.push(`${generator.connected.ready - load.connections} devices not counted at the end`);
  if (!groupAlive) wrong.push('the edge group is gone');
  const devices = devicesByTransport(scale.devices);
  // Long-polls count only while they wait for events: at most every long-poll device.
  if (connectionsAfter['ws'] !== devices.ws || connectionsAfter['sse'] !== devices.sse || (connectionsAfter['poll'] ?? 0) > devices.poll) {
    wrong.push(`the edges count ${JSON.stringify(connectionsAfter)} connections for ${JSON.stringify(devices)} devices`);
  }
  // Killed members come back once each; any other exit is the storm's doing.
  if (unplannedExits !== 0) wrong.push(`${unplannedExits} edge processes exited during the storm`);
  return wrong;
}

function devicesByTransport(count: number): Record<Transport, number> {
  const devices = { ws: 0, sse: 0, poll: 0 };
  for (let n = 0; n < count; n++) devices[ROUTES[n % ROUTES.length]!.transport] += 1;
  return devices;
}

/** From the group's /metrics (every member's, added up): `tidings_edge_connections` by transport, and the supervisor's restarts. */
async function groupMetrics(url: string): Promise<{ connections: Record<string, number>; restarts: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const connections: Record<string, number> = {};
  let restarts = 0;
  for (const line of text.split('\n')) {
    const match = /^tidings_edge_connections\{.*transport="([a-z]+)".*\} (\d+)$/.exec(line);
    if (match) connections[match[1]!] = (connections[match[1]!] ?? 0) + Number(match[2]);
    if (line.startsWith('tidings_edge_group_restarts_total')) restarts += Number(line.split(' ').pop());
  }
  return { connections, restarts };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
