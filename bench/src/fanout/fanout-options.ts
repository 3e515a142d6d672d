// The fan-out bench's command line: comma lists expand into every combination, run one after the
// other with the servers of one combination next to each other, so that Tidings, the floor and
// Nchan are measured minutes apart on the same machine in the same invocation.
import type { Transport } from '../loadgen/index.js';
import type { ServerKind } from '../servers/server-under-test.js';
import type { PublishMode } from './publisher.js';

export interface FanoutScenario {
  readonly server: ServerKind;
  readonly transport: Transport;
  readonly subscribers: number;
  readonly mode: PublishMode;
  /** How long events are published. */
  readonly seconds: number;
  readonly intervalMs: number;
  readonly payloadBytes: number;
  /** Server processes: Tidings edges or floor processes (Nchan: its workers). */
  readonly serverProcesses: number;
  readonly generatorProcesses: number;
  readonly sampleEvery: number;
  /** After the last publish: the wait for late deliveries ends when none came for stallSeconds… */
  readonly stallSeconds: number;
  /** …or after drainSeconds at most. */
  readonly drainSeconds: number;
}

export interface FanoutInvocation {
  readonly scenarios: readonly FanoutScenario[];
  /** Results file; a dated one under bench/results when absent. */
  readonly out: string | undefined;
  readonly label: string | undefined;
}

export class UsageError extends Error {}

export const USAGE = `Usage: npm run bench:fanout -- [options]   (or node bench/dist/fanout/run-fanout.js [options])
  --server tidings,floor,nchan,socketio,soketi
                                 servers to measure, each in turn (default: tidings,floor,nchan);
                                 Socket.IO and soketi speak WebSocket only (their SSE runs are skipped)
  --transport sse,ws             (default: sse)
  --subscribers 1000,10000       idle subscribers on one channel (default: 1000)
  --mode paced,burst             paced: one event every --interval-ms; burst: next event as soon as
                                 the previous publish is answered, one in flight (default: paced)
  --seconds N                    how long to publish (default: 20)
  --interval-ms N                paced mode's interval (default: 100)
  --payload-bytes N              size of each event's data string (default: 64)
  --server-processes N           Tidings edges / floor processes (default: one per 15,000 subscribers);
                                 Nchan: nginx workers (default: 2, one per core)
  --generator-processes N        load-generator processes (default: one per 15,000 subscribers)
  --sample-every N               one connection in N measures latency (default: 64)
  --stall-seconds N              after the last publish, events not arrived once deliveries have
                                 stopped this long are lost (default: 5)
  --drain-seconds N              longest wait for a backlog still arriving (default: 120)
  --label TEXT                   added to the results file name
  --out FILE                     results file (default: bench/results/fanout-<date>[-label].json)`;

const SERVERS: readonly ServerKind[] = ['tidings', 'floor', 'nchan', 'socketio', 'soketi'];
const DEFAULT_SERVERS = 'tidings,floor,nchan';
/** Servers that hold WebSocket subscribers only. */
export const WS_ONLY: readonly ServerKind[] = ['socketio', 'soketi'];
const TRANSPORTS: readonly Transport[] = ['sse', 'ws'];
const MODES: readonly PublishMode[] = ['paced', 'burst'];
const PER_PROCESS = 15_000;
const NCHAN_WORKERS = 2;

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T[] {
  const items = value.split(',').filter((v) => v !== '');
  const wrong = items.filter((v) => !(allowed as readonly string[]).includes(v));
  if (items.length === 0 || wrong.length > 0) throw new UsageError(`${flag}: '${value}' — expected a comma list of ${allowed.join(', ')}`);
  return items as T[];
}

function integer(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`${flag}: '${value}' — expected an integer from ${min} to ${max}`);
  return n;
}

function integers(flag: string, value: string, min: number, max: number): number[] {
  const items = value.split(',').filter((v) => v !== '');
  if (items.length === 0) throw new UsageError(`${flag}: expected a comma list of integers`);
  return items.map((v) => integer(flag, v, min, max));
}

export function parseFanoutArgs(argv: readonly string[]): FanoutInvocation {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    values.set(name, value);
  }
  const known = ['server', 'transport', 'subscribers', 'mode', 'seconds', 'interval-ms', 'payload-bytes', 'server-processes', 'generator-processes', 'sample-every', 'stall-seconds', 'drain-seconds', 'label', 'out'];
  const unknown = [...values.keys()].filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new UsageError(`unknown option(s): ${unknown.map((n) => `--${n}`).join(', ')}`);

  const get = (name: string, fallback: string) => values.get(name) ?? fallback;
  const servers = oneOf('--server', get('server', DEFAULT_SERVERS), SERVERS);
  const transports = oneOf('--transport', get('transport', 'sse'), TRANSPORTS);
  const subscriberCounts = integers('--subscribers', get('subscribers', '1000'), 1, 1_000_000);
  const modes = oneOf('--mode', get('mode', 'paced'), MODES);
  const seconds = integer('--seconds', get('seconds', '20'), 1, 600);
  const intervalMs = integer('--interval-ms', get('interval-ms', '100'), 1, 60_000);
  const payloadBytes = integer('--payload-bytes', get('payload-bytes', '64'), 32, 16_000);
  const serverProcesses = values.has('server-processes') ? integer('--server-processes', values.get('server-processes')!, 1, 64) : undefined;
  const generatorProcesses = values.has('generator-processes') ? integer('--generator-processes', values.get('generator-processes')!, 1, 64) : undefined;
  const sampleEvery = integer('--sample-every', get('sample-every', '64'), 1, 1_000_000);
  const stallSeconds = integer('--stall-seconds', get('stall-seconds', '5'), 1, 600);
  const drainSeconds = integer('--drain-seconds', get('drain-seconds', '120'), 1, 1800);
  const label = values.get('label');
  if (label !== undefined && !/^[A-Za-z0-9_.-]{1,40}$/.test(label)) throw new UsageError(`--label: '${label}' — up to 40 characters of A-Z a-z 0-9 _ . -`);

  const scenarios: FanoutScenario[] = [];
  for (const subscribers of subscriberCounts) {
    const perProcess = Math.max(1, Math.ceil(subscribers / PER_PROCESS));
    for (const transport of transports) {
      for (const mode of modes) {
        for (const server of servers) {
          if (transport === 'sse' && WS_ONLY.includes(server)) continue;
          scenarios.push({
            server,
            transport,
            subscribers,
            mode,
            seconds,
            intervalMs,
            payloadBytes,
            serverProcesses: serverProcesses ?? (server === 'nchan' ? Math.max(NCHAN_WORKERS, perProcess) : perProcess),
            generatorProcesses: generatorProcesses ?? perProcess,
            sampleEvery,
            stallSeconds,
            drainSeconds,
          });
        }
      }
    }
  }
  return { scenarios, out: values.get('out'), label };
}
