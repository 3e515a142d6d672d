import { connect } from 'node:net';

// HTTP over a bare socket, for the shapes an HTTP client refuses to send (two Content-Length
// headers, obs-fold, control bytes, a request trickled byte by byte) and for reading exactly
// what the server wrote back.

export interface RawReply {
  /** Every byte the server sent. */
  readonly bytes: Buffer;
  /** The server closed the connection; false when we stopped waiting (see RawOptions). */
  readonly closedByServer: boolean;
}

export interface RawOptions {
  /** Written one after another, this far apart (a slow client); all at once by default. */
  readonly gapMs?: number;
  /** Half-close once everything is written: the client will send nothing more. */
  readonly hangUp?: boolean;
  /** Stop waiting (and close) once what arrived satisfies this. */
  readonly until?: (bytes: Buffer) => boolean;
  /** Only a guard against hangs: stop waiting (and close) after this long. */
  readonly guardMs?: number;
}

const GUARD_MS = 30_000;

/** Sends `pieces` on a fresh connection and collects the answer until the server closes it (or `options` say stop). */
export function rawRequest(port: number, pieces: string | Buffer | readonly (string | Buffer)[], options: RawOptions = {}): Promise<RawReply> {
  const list = typeof pieces === 'string' || Buffer.isBuffer(pieces) ? [pieces] : pieces;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const finish = (closedByServer: boolean) => {
      clearTimeout(timer);
      clearTimeout(guard);
      socket.destroy();
      resolve({ bytes: Buffer.concat(chunks), closedByServer });
    };
    const guard = setTimeout(() => finish(false), options.guardMs ?? GUARD_MS);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (options.until?.(Buffer.concat(chunks))) finish(false);
    });
    socket.on('close', () => finish(true));
    // A reset while we still write means the server gave up on us: that is an answer, not a test failure.
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? finish(true) : reject(error)));
    let next = 0;
    const writeNext = () => {
      if (socket.destroyed) return;
      if (next === list.length) {
        if (options.hangUp) socket.end();
        return;
      }
      socket.write(list[next++]!);
      timer = setTimeout(writeNext, options.gapMs ?? 0);
    };
    socket.once('connect', writeNext);
  });
}

export interface RawResponse {
  readonly status: number;
  /** Lower-case names; a repeated header keeps its last value. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

const STATUS_LINE = /^HTTP\/1\.1 (\d{3}) [^\r\n]*$/;
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+): ?(.*)$/;

/** Stop once one complete response arrived. */
export const oneResponse = (bytes: Buffer): boolean => parseResponses(bytes).responses.length > 0;

/**
 * Splits what a server sent into complete HTTP/1.1 responses (bodies framed by Content-Length or
 * chunked; none at all for answers to HEAD) and what follows them: an unfinished response (a
 * stream still open) or, after a 101, the upgraded protocol. Throws on anything that is not HTTP.
 */
export function parseResponses(bytes: Buffer, toHead = false): { responses: RawResponse[]; rest: Buffer } {
  const responses: RawResponse[] = [];
  let at = 0;
  for (;;) {
    const headEnd = bytes.indexOf('\r\n\r\n', at);
    if (headEnd < 0) break;
    const [statusLine = '', ...lines] = bytes.subarray(at, headEnd).toString('latin1').split('\r\n');
    const status = STATUS_LINE.exec(statusLine);
    if (!status) throw new Error(`not an HTTP/1.1 status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const header = HEADER_LINE.exec(line);
      if (!header) throw new Error(`not an HTTP header line: ${JSON.stringify(line.slice(0, 80))}`);
      headers[header[1]!.toLowerCase()] = header[2]!;
    }
    const body = toHead ? { body: Buffer.alloc(0), end: headEnd + 4 } : readBody(bytes, headEnd + 4, headers);
    if (!body) break;
    responses.push({ status: Number(status[1]), headers, body: body.body });
    at = body.end;
    if (status[1] === '101') break;
  }
  return { responses, rest: bytes.subarray(at) };
}

/** The body starting at `from` and where it ends; undefined while it is incomplete. */
function readBody(bytes: Buffer, from: number, headers: Record<string, string>): { body: Buffer; end: number } | undefined {
  if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = [];
    for (let at = from; ; ) {
      const lineEnd = bytes.indexOf('\r\n', at);
      if (lineEnd < 0) return undefined;
      const sizeText = bytes.subarray(at, lineEnd).toString('latin1');
      if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new Error(`not a chunk size: ${JSON.stringify(sizeText.slice(0, 40))}`);
      const size = parseInt(sizeText, 16);
      if (bytes.length < lineEnd + 2 + size + 2) return undefined;
      if (size === 0) return { body: Buffer.concat(parts), end: lineEnd + 4 };
      parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  const length = Number(headers['content-length'] ?? 0);
  if (!Number.isSafeInteger(length) || length < 0) throw new Error(`not a Content-Length: ${headers['content-length']}`);
  return bytes.length < from + length ? undefined : { body: bytes.subarray(from, from + length), end: from + length };
}
