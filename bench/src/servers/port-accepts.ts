// Whether something accepts TCP connections on a loopback port yet: how the bench knows a server
// it started (nginx, soketi) is ready when the server prints nothing to say so.
import { connect } from 'node:net';

export function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false)); // not listening yet: the caller tries again
  });
}
