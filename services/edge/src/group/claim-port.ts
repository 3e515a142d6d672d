import { createServer } from 'node:net';

/** Held while a group runs on a port; released when the supervisor ends, even by SIGKILL. */
export interface PortClaim {
  release(): void;
}

export class PortClaimedError extends Error {
  constructor(host: string, port: number) {
    super(`another edge group already runs on ${host}:${port}: stop it first, or pick another --port`);
    this.name = 'PortClaimedError';
  }
}

/**
 * The members of a group listen with SO_REUSEPORT, so the kernel would let a second group join
 * them on the same port and quietly take part of the traffic. The supervisor therefore claims the
 * port first, as a Linux abstract Unix socket named after it: the name is unique per network
 * namespace (as ports are), and the kernel frees it when the process ends, however it ends. Only
 * the same host text is caught (0.0.0.0 and 127.0.0.1 are different names); a lone edge needs no
 * claim, since it listens exclusively.
 */
export function claimPort(host: string, port: number): Promise<PortClaim> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortClaimedError(host, port) : error));
    server.listen(`\0tidings-edge-group:${host}:${port}`, () => {
      server.unref();
      resolve({ release: () => server.close() });
    });
  });
}
