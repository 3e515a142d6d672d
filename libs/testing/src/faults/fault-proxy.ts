import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 and a free port that forwards to one target and breaks the network on
 * demand: latency, a bandwidth limit, connections that go silent without closing (half-open),
 * resets, and partitions that heal. Each direction of each connection holds at most
 * HIGH_WATER_BYTES; past that the sending side is paused, so a stalled or slowed link pushes back
 * into the kernel's socket buffers and on to the sender, as a real network does.
 */
export class FaultProxy {
  private latencyMs = 0;
  private bytesPerSecond = 0;
  /** Set while partitioned: nothing moves, new connections wait. */
  private partitioned = false;
  private readonly links = new Set<Link>();
  private readonly waiting = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly targetPort: number,
  ) {}

  static async start(targetPort: number): Promise<FaultProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const proxy = new FaultProxy(server, (server.address() as { port: number }).port, targetPort);
    server.on('connection', (client) => proxy.accept(client));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Open connections through the proxy. */
  get connections(): number {
    return this.links.size;
  }

  /** Every chunk is held this long before it is passed on (both directions). */
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /** Each direction of each connection carries at most this many bytes per second; 0 for no limit. */
  setBandwidth(bytesPerSecond: number): void {
    this.bytesPerSecond = bytesPerSecond;
  }

  /**
   * The connections open now go half-open: their far end is gone without a word (the target sees
   * them close, as after a NAT timeout or a host that vanished), while the clients' side stays
   * open and silent, swallowing what they send. New connections work.
   */
  halfOpen(): void {
    for (const link of this.links) link.silence();
  }

  /** Every open connection reset (RST) at both ends. */
  reset(): void {
    for (const link of this.links) link.reset();
  }

  /** Nothing moves for `ms` and new connections wait, then everything resumes where it stood. */
  async partition(ms: number): Promise<void> {
    this.partitioned = true;
    for (const link of this.links) link.hold(true);
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.partitioned = false;
    for (const link of this.links) link.hold(false);
    for (const go of this.waiting) go();
    this.waiting.clear();
  }

  /** Back to a clean network (silenced connections stay silent). */
  clear(): void {
    this.latencyMs = 0;
    this.bytesPerSecond = 0;
  }

  async stop(): Promise<void> {
    for (const link of this.links) link.destroy();
    this.waiting.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    client.pause();
    client.on('error', () => client.destroy());
    const dial = () => {
      if (client.destroyed) return;
      const upstream = connect(this.targetPort, '127.0.0.1');
      let linked = false;
      upstream.on('error', () => upstream.destroy());
      // Refused or failed before it was linked: the client's connection ends; after, the link decides.
      upstream.once('close', () => linked || client.destroy());
      upstream.once('connect', () => {
        linked = true;
        const link = new Link(client, upstream, () => ({ latencyMs: this.latencyMs, bytesPerSecond: this.bytesPerSecond }));
        this.links.add(link);
        link.closed.then(
          () => this.links.delete(link),
          () => this.links.delete(link),
        );
        if (this.partitioned) link.hold(true);
      });
    };
    if (this.partitioned) this.waiting.add(dial);
    else dial();
  }
}

const HIGH_WATER_BYTES = 256 * 1024;
/** Bandwidth is metered in slices of this share of a second. */
const SLICE_SECONDS = 0.05;

interface Shape {
  readonly latencyMs: number;
  readonly bytesPerSecond: number;
}

/** A client connection and its upstream: two directions, each a bounded queue. */
class Link {
  readonly closed: Promise<void>;
  private silenced = false;
  private readonly up: Direction;
  private readonly down: Direction;

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    shape: () => Shape,
  ) {
    this.up = new Direction(client, upstream, shape);
    this.down = new Direction(upstream, client, shape);
    this.closed = new Promise((resolve) => {
      let open = 2;
      const one = () => {
        if (--open === 0) resolve();
      };
      client.once('close', one);
      upstream.once('close', one);
    });
    // One end gone for good: the other goes too (a reset stays a reset), unless silenced.
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => this.silenced || client.destroy());
    client.resume();
  }

  hold(held: boolean): void {
    this.up.hold(held);
    this.down.hold(held);
  }

  /** The far end is gone without a word: the target's side closes, the client hears nothing, ever. */
  silence(): void {
    this.silenced = true;
    this.up.silence();
    this.down.silence();
    this.upstream.destroy();
  }

  reset(): void {
    this.client.resetAndDestroy();
    this.upstream.resetAndDestroy();
  }

  destroy(): void {
    this.client.destroy();
    this.upstream.destroy();
  }
}

/** One direction: chunks queued with the time they may leave, sent in bandwidth-sized slices. */
class Direction {
  private readonly queue: { at: number; data: Buffer }[] = [];
  private queued = 0;
  private held = false;
  private silenced = false;
  private timer: NodeJS.Timeout | undefined;
  /** When the bandwidth budget allows the next slice. */
  private nextSliceAt = 0;
  private ended = false;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly shape: () => Shape,
  ) {
    from.on('data', (data: Buffer) => {
      if (this.silenced) return; // swallowed: nothing more ever arrives at the other end
      this.queue.push({ at: Date.now() + this.shape().latencyMs, data });
      this.queued += data.length;
      if (this.queued > HIGH_WATER_BYTES) from.pause();
      this.pump();
    });
    from.once('end', () => {
      this.ended = true;
      this.pump();
    });
    to.on('drain', () => this.pump());
  }

  hold(held: boolean): void {
    this.held = held;
    if (held) this.from.pause();
    else {
      if (this.queued <= HIGH_WATER_BYTES) this.from.resume();
      this.pump();
    }
  }

  silence(): void {
    this.silenced = true;
    this.queue.length = 0;
    this.queued = 0;
    clearTimeout(this.timer);
    this.from.resume(); // keep reading and dropping, so the sender sees an open, healthy socket
  }

  private pump(): void {
    clearTimeout(this.timer);
    while (!this.held && !this.silenced && this.queue.length > 0 && !this.to.destroyed) {
      if (this.to.writableNeedDrain) return; // 'drain' pumps again
      const head = this.queue[0]!;
      const now = Date.now();
      const wait = Math.max(head.at, this.nextSliceAt) - now;
      if (wait > 0) {
        this.timer = setTimeout(() => this.pump(), wait);
        return;
      }
      const { bytesPerSecond } = this.shape();
      const slice = bytesPerSecond > 0 ? Math.max(1, Math.floor(bytesPerSecond * SLICE_SECONDS)) : head.data.length;
      const data = head.data.subarray(0, slice);
      if (data.length === head.data.length) this.queue.shift();
      else head.data = head.data.subarray(slice);
      if (bytesPerSecond > 0) this.nextSliceAt = Math.max(now, this.nextSliceAt) + (1000 * data.length) / bytesPerSecond;
      this.queued -= data.length;
      this.to.write(data);
      if (this.queued <= HIGH_WATER_BYTES / 2 && !this.held) this.from.resume();
    }
    if (this.ended && this.queue.length === 0 && !this.silenced) this.to.end();
  }
}
