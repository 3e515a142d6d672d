import { readFileSync } from 'node:fs';
import { startRedisServer } from '../redis-server.js';
import { startEdgeFleet } from './edge-fleet.js';
import { FaultProxy } from './fault-proxy.js';
import { runThroughFault } from './fault-run.js';
import type { Scale, ScenarioReport } from './scenarios.js';

// The network broken between edges and Redis, or between clients and edges, by a fault-injecting
// proxy: latency, a bandwidth limit, a partition that heals, resets, and connections that go
// silent without closing. Everything must recover by itself and nothing may be lost; the edges'
// memory is sampled throughout.

export type NetworkLeg = 'redis' | 'clients';

/** Resident memory of the edges (the largest of them at each moment), in bytes. */
export interface EdgeMemory {
  readonly before: number;
  readonly peak: number;
  readonly after: number;
}

export interface NetworkFaultReport extends ScenarioReport {
  readonly edgeRss: EdgeMemory;
}

const CHANNELS = ['net/a', 'net/b', 'net/c'];
/** Edges here send SSE heartbeats every second, so devices can tell a silent connection in 4. */
const EDGE_ARGS = ['--sse-heartbeat-seconds', '1'];
const SILENCE_MS = 4000;

/** Each fault in turn, a clean network between them. `halfOpen` last: the silenced connections never come back. */
async function faultSequence(proxy: FaultProxy, stepMs: number): Promise<void> {
  const pause = () => new Promise((resolve) => setTimeout(resolve, stepMs));
  proxy.setLatency(100);
  await pause();
  proxy.clear();
  proxy.setBandwidth(16 * 1024);
  await pause();
  proxy.clear();
  await proxy.partition(2 * stepMs);
  await pause();
  proxy.reset();
  await pause();
  proxy.halfOpen();
  await pause();
}

/**
 * `redis`: the edges reach Redis through the proxy. `clients`: devices and publishers reach the
 * balancer through it.
 */
export async function networkFaults(leg: NetworkLeg, scale: Scale, stepMs = 1500): Promise<NetworkFaultReport> {
  const redis = await startRedisServer();
  const redisProxy = leg === 'redis' ? await FaultProxy.start(redis.port) : undefined;
  try {
    const fleet = await startEdgeFleet(redisProxy ? `redis://127.0.0.1:${redisProxy.port}` : redis.url, 3, EDGE_ARGS);
    const clientProxy = leg === 'clients' ? await FaultProxy.start(fleet.balancer.port) : undefined;
    const proxy = (redisProxy ?? clientProxy)!;
    const memory = new RssSampler(() => fleet.edges.map((e) => e.pid));
    // Paced so that publishing lasts well past the whole sequence (seven steps) and meets every fault.
    const paceMs = Math.max(scale.paceMs, Math.ceil((12 * stepMs) / scale.eventsPerPublisher));
    try {
      const report = await runThroughFault(
        { scenario: `network-${leg}`, url: clientProxy?.url ?? fleet.balancer.url, channels: CHANNELS, ...scale, paceMs, faultAt: 0.1, silenceMs: SILENCE_MS },
        async () => {
          memory.mark();
          await faultSequence(proxy, stepMs);
        },
      );
      return { ...report, lostByRedis: 0, lossWindowMs: 0, missingKept: report.missing, edgeRss: memory.finish() };
    } finally {
      memory.finish();
      await clientProxy?.stop();
      await fleet.stop();
    }
  } finally {
    await redisProxy?.stop();
    await redis.stop();
  }
}

/** Samples the edges' VmRSS every 200 ms: the largest before the fault, at any time after it, and at the end. */
class RssSampler {
  private before = 0;
  private peak = 0;
  private last = 0;
  private faulted = false;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pids: () => readonly number[]) {
    this.timer = setInterval(() => this.sample(), 200);
  }

  mark(): void {
    this.sample();
    this.faulted = true;
  }

  finish(): EdgeMemory {
    clearInterval(this.timer);
    if (this.faulted) this.sample();
    return { before: this.before, peak: this.peak, after: this.last };
  }

  private sample(): void {
    const now = Math.max(0, ...this.pids().map(rssOf));
    this.last = now;
    if (this.faulted) this.peak = Math.max(this.peak, now);
    else this.before = Math.max(this.before, now);
  }
}

export function rssOf(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? 0 : Number(kb) * 1024;
  } catch {
    return 0; // the edge has exited meanwhile: nothing resident
  }
}
