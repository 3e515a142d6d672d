// Starts the bare-write floor (floor-process.ts), one process per ≤ 15k connections: a process
// may hold at most 20k open files here. The processes share nothing, so each event is posted to
// every one of them.
import { fileURLToPath } from 'node:url';
import { type NodeChild, startNodeChild } from './node-child.js';
import type { ServerUnderTest } from './server-under-test.js';

// This file is bench/{src,dist}/servers/floor-server.*: the floor always runs from dist.
const FLOOR_MAIN = fileURLToPath(new URL('../../dist/servers/floor-process.js', import.meta.url));

export async function startFloor(options: { readonly processes: number }): Promise<ServerUnderTest> {
  const started = await Promise.allSettled(Array.from({ length: options.processes }, () => startNodeChild(FLOOR_MAIN, [])));
  const floors = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(floors.map((f) => f.stop()));
    throw failure.reason;
  }
  return {
    kind: 'floor',
    description: `${floors.length} Node net server process(es): one socket.write per event per connection`,
    targets: floors.map((f: NodeChild) => ({ host: '127.0.0.1', port: f.port })),
    route: (transport) => ({ transport, path: transport === 'sse' ? '/sse' : '/ws', wsSubscribe: null }),
    transports: ['sse', 'ws'],
    publishTargets: floors.map((f) => ({ host: '127.0.0.1', port: f.port })),
    publishRequest: (data) => ({ path: '/publish', body: data, contentType: 'text/plain' }),
    serverPids: () => floors.map((f) => f.pid),
    redisPids: [],
    stop: async () => {
      await Promise.all(floors.map((f) => f.stop()));
    },
  };
}
