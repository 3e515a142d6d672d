import WebSocket from 'ws';

/** A WebSocket test client (the `ws` package) that records every frame it receives, parsed. */
export class WsClient {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- frames are whatever the server sent
  readonly frames: any[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly taken = new Set<unknown>();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private waiters: { filter: (f: any) => boolean; resolve: (f: any) => void }[] = [];

  private constructor(private readonly socket: WebSocket) {
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    socket.on('message', (data, isBinary) => {
      const frame = isBinary ? data : JSON.parse(data.toString());
      this.frames.push(frame);
      const waiter = this.waiters.find((w) => w.filter(frame));
      if (waiter) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        this.taken.add(frame);
        waiter.resolve(frame);
      }
    });
  }

  static connect(url: string, options: { headers?: Record<string, string> } = {}): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers: options.headers });
      socket.once('open', () => resolve(new WsClient(socket)));
      socket.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  /** The next frame (matching `filter`) not yet returned by next(). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  next(filter: (f: any) => boolean = () => true, limitMs = 20_000): Promise<any> {
    const found = this.frames.find((f) => !this.taken.has(f) && filter(f));
    if (found !== undefined) {
      this.taken.add(found);
      return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${limitMs} ms; got ${JSON.stringify(this.frames)}`)), limitMs);
      this.waiters.push({
        filter,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  close(): void {
    this.socket.close();
  }
}
