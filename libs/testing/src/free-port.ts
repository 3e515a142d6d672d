import { createServer } from 'node:net';

/** A TCP port nobody listens on right now, chosen by the kernel (never a fixed port). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('the kernel assigned no port'))));
    });
  });
}
