// How many processes a run of N connections gets on each side: one per 15k sockets (a process
// may hold at most 20k open files here), and Nchan at least its two workers (one per core).
import { CONNECTIONS_PER_PROCESS } from '../loadgen/index.js';
import type { ServerKind } from '../servers/server-under-test.js';
import type { OptionSpec } from '../suite/suite-options.js';

export function processesFor(connections: number): number {
  return Math.max(1, Math.ceil(connections / CONNECTIONS_PER_PROCESS));
}

/** Server processes for `connections`: `override` when set (non-zero). */
export function serverProcesses(server: ServerKind, connections: number, override: number): number {
  if (override > 0) return override;
  return server === 'nchan' ? Math.max(2, processesFor(connections)) : processesFor(connections);
}

export const SERVER_PROCESSES_OPTION: OptionSpec = { kind: 'int', default: 0, min: 0, max: 64, help: 'server processes (edges, Nchan workers, peer nodes); 0: one per 15k connections' };

export const PEER_SERVERS = ['tidings', 'nchan', 'socketio', 'soketi', 'floor'] as const;

export const SERVERS_OPTION: OptionSpec = { kind: 'words', default: ['tidings'], allowed: PEER_SERVERS, help: 'servers to measure, each in turn' };
