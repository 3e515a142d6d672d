import { createServer } from 'node:net';

/**
 * A port nobody listens on right now. uWS shares a port (SO_REUSEPORT) only when given its number,
 * never for port 0, so a group asked for port 0 picks the number first and hands it to every member.
 */
export function pickFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host, port: 0, exclusive: true }, () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error(`no port was assigned on ${host}`))));
    });
  });
}
