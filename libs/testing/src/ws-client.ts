import { WebSocket } from 'ws';
import { Arrivals } from './arrivals.js';

// Frames are whatever the server sent; specs assert them with toEqual/toMatchObject, so `any`
// keeps them terse (`f.type === 'event'`) without a cast per access.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Frame = any;

const CONNECT_LIMIT_MS = 10_000;
const WAIT_LIMIT_MS = 20_000;

/** The server answered the upgrade request with an HTTP response instead of switching protocols. */
export class WsRejectedError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`WebSocket upgrade rejected with HTTP ${status}: ${body}`);
    this.name = 'WsRejectedError';
  }
}

/**
 * A WebSocket test client (the `ws` package) speaking JSON frames. Text frames are parsed as JSON
 * (kept as the raw string when they are not JSON); binary frames are kept as Buffers.
 */
export class WsClient {
  readonly frames: Frame[];
  readonly closed: Promise<{ code: number; reason: string }>;

  private readonly arrivals = new Arrivals<Frame>('WebSocket frame', (f) => (typeof f === 'string' ? f : JSON.stringify(f)));

  private constructor(private readonly ws: WebSocket) {
    this.frames = this.arrivals.items;
    ws.on('message', (data, isBinary) => this.arrivals.push(isBinary ? toBuffer(data) : parseText(toBuffer(data).toString('utf8'))));
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        this.arrivals.end();
        resolve({ code, reason: reason.toString('utf8') });
      });
    });
  }

  /** Resolves once the connection is open; rejects with WsRejectedError when the upgrade is refused. */
  static connect(url: string, options: { headers?: Record<string, string> } = {}): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: options.headers, handshakeTimeout: CONNECT_LIMIT_MS });
      const client = new WsClient(ws);
      ws.once('open', () => resolve(client));
      ws.on('error', (error) => reject(error));
      ws.once('unexpected-response', (req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.once('end', () => {
          reject(new WsRejectedError(res.statusCode ?? 0, body));
          req.destroy();
        });
      });
    });
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** The oldest frame not yet taken by next() that passes `filter`; frames it passes over stay available. */
  next(filter: (f: Frame) => boolean = () => true, timeoutMs = WAIT_LIMIT_MS): Promise<Frame> {
    return this.arrivals.next(filter, timeoutMs);
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

function parseText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return text;
    throw error;
  }
}
