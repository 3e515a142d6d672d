import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import type { Uws } from './load-uws.js';

export interface Listening {
  readonly port: number;
  /** Stops accepting connections; open ones stay until closed one by one. */
  close(): void;
}

/** Listens on host:port (0 picks a free port) and reports the real port. */
export function listen(uws: Uws, app: TemplatedApp, host: string, port: number): Promise<Listening> {
  return new Promise((resolve, reject) => {
    app.listen(host, port, (socket: us_listen_socket | false) => {
      if (!socket) {
        reject(new Error(`could not listen on ${host}:${port} (in use, or not an address of this machine)`));
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
