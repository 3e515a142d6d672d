import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import type { Uws } from './load-uws.js';

export interface Listening {
  readonly port: number;
  /** Stops accepting connections; open ones stay until closed one by one. */
  close(): void;
}

/**
 * `exclusive`: no other socket may listen on the port, so a second edge started by mistake fails
 * instead of silently taking part of the traffic. `shared`: SO_REUSEPORT, for the processes of one
 * edge group; Linux spreads new connections over them. uWS sets it only on a non-zero port.
 */
export type PortSharing = 'exclusive' | 'shared';

/** uWS' LIBUS_LISTEN_DEFAULT (SO_REUSEPORT) and LIBUS_LISTEN_EXCLUSIVE_PORT. */
const LISTEN_OPTIONS: Record<PortSharing, number> = { shared: 0, exclusive: 1 };

// v20.30's typings declare listen(host, port, cb) and listen(port, options, cb) but not both host
// and options; the native binding (and its JS fallback) takes host, port, options, callback.
type ListenWithOptions = (this: TemplatedApp, host: string, port: number, options: number, cb: (socket: us_listen_socket | false) => void) => TemplatedApp;

export class ListenError extends Error {
  constructor(host: string, port: number, sharing: PortSharing) {
    super(
      sharing === 'exclusive'
        ? `could not listen on ${host}:${port}: the port is in use (an edge listens on it alone: to run several on one port, ` +
            'start one edge with --processes N), or the address is not one of this machine'
        : `could not listen on ${host}:${port} next to the other processes of this edge: another program holds the port, ` +
            'or the address is not one of this machine',
    );
    this.name = 'ListenError';
  }
}

/** Listens on host:port (0 picks a free one, never shared) and reports the real port. */
export function listen(uws: Uws, app: TemplatedApp, host: string, port: number, sharing: PortSharing): Promise<Listening> {
  return new Promise((resolve, reject) => {
    (app.listen as unknown as ListenWithOptions).call(app, host, port, LISTEN_OPTIONS[sharing], (socket) => {
      if (!socket) {
        reject(new ListenError(host, port, sharing));
        return;
      }
      let open = true;
      resolve({
        port: uws.us_socket_local_port(socket),
        close: () => {
          if (open) uws.us_listen_socket_close(socket);
          open = false;
        },
      });
    });
  });
}
