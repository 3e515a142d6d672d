import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A tiny TCP load balancer on 127.0.0.1 and a free port, so that clients keep one URL while the
 * edges behind it crash, drain and come back. Each new connection goes to the next backend in
 * turn; one that refuses is skipped (as a health-checking balancer would), and the client's
 * connection is dropped only when no backend accepts. Bytes are piped untouched both ways.
 */
export class TcpBalancer {
  private backends: number[] = [];
  private next = 0;
  private readonly open = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(backends: readonly number[]): Promise<TcpBalancer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const balancer = new TcpBalancer(server, (server.address() as { port: number }).port);
    balancer.setBackends(backends);
    server.on('connection', (client) => balancer.route(client));
    return balancer;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The ports new connections go to from now on (open connections stay where they are). */
  setBackends(ports: readonly number[]): void {
    this.backends = [...ports];
  }

  async stop(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private route(client: Socket): void {
    this.track(client);
    client.pause(); // hold what the client sends until a backend is connected
    this.tryBackend(client, this.backends.length);
  }

  private tryBackend(client: Socket, triesLeft: number): void {
    if (triesLeft === 0 || client.destroyed) {
      client.destroy();
      return;
    }
    const port = this.backends[this.next++ % this.backends.length]!;
    const upstream = connect(port, '127.0.0.1');
    let connected = false;
    // Refused: try the next backend. Failed later: the client sees its connection end, as with a real balancer.
    upstream.on('error', () => (connected ? client.destroy() : this.tryBackend(client, triesLeft - 1)));
    upstream.once('connect', () => {
      connected = true;
      this.track(upstream);
      client.on('error', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
      client.resume();
    });
  }

  private track(socket: Socket): void {
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
  }
}
