// Starts any server the bench knows by name, sized for a number of connections.
import { startFloor } from './floor-server.js';
import { startMosquitto } from './mosquitto-server.js';
import { startNchan } from './nchan-server.js';
import type { ServerKind, ServerUnderTest } from './server-under-test.js';
import { startSocketIo } from './socketio-server.js';
import { startSoketi } from './soketi-server.js';
import { startTidings } from './tidings-server.js';

export interface ServerSize {
  /** Server processes: Tidings edges, floor processes, Nchan workers, Socket.IO or soketi nodes. */
  readonly processes: number;
  readonly connections: number;
}

export function startServer(kind: ServerKind, size: ServerSize): Promise<ServerUnderTest> {
  switch (kind) {
    case 'tidings':
      return startTidings({ edges: size.processes });
    case 'floor':
      return startFloor({ processes: size.processes });
    case 'nchan':
      return startNchan({ workers: size.processes, connections: size.connections });
    case 'socketio':
      return startSocketIo({ nodes: size.processes });
    case 'soketi':
      return startSoketi({ nodes: size.processes });
    case 'mosquitto':
      return startMosquitto();
  }
}
