// Reads the frames a WebSocket server sends (RFC 6455 §5.2) from bytes split anywhere. Data
// payloads are handed on as byte ranges of the caller's buffer, never copied: the load generator
// reads into one buffer shared by every socket of the process. Control frames (≤ 125 bytes) are
// collected whole, since a ping must be answered with its exact payload.

export const OPCODE_CONTINUATION = 0x0;
export const OPCODE_TEXT = 0x1;
export const OPCODE_BINARY = 0x2;
export const OPCODE_CLOSE = 0x8;
export const OPCODE_PING = 0x9;
export const OPCODE_PONG = 0xa;

/** Larger frames than a fan-out bench ever receives: a desynchronised stream, not data. */
const MAX_PAYLOAD = 64 * 1024 * 1024;
const MAX_HEADER = 14;

export interface WsFrameHandler {
  /** A data frame (text, binary, continuation) begins. */
  dataStart(opcode: number): void;
  /** Some of the current data frame's payload: `bytes[start..end)`, valid only during the call. */
  data(bytes: Uint8Array, start: number, end: number): void;
  /** The current data frame's payload is complete. */
  dataEnd(): void;
  /** A whole control frame: close, ping or pong. */
  control(opcode: number, payload: Uint8Array): void;
  /** The stream broke the protocol; the reader ignores everything after this. */
  violation(reason: string): void;
}

export class WsFrameReader {
  /** Header bytes collected so far when a header arrives split; null on the usual path. */
  private head: Uint8Array | null = null;
  private headHave = 0;
  private inPayload = false;
  private payloadLeft = 0;
  private opcode = 0;
  private controlPayload: Uint8Array | null = null;
  private controlHave = 0;
  private broken = false;

  constructor(private readonly handler: WsFrameHandler) {}

  feed(bytes: Uint8Array, start: number, end: number): void {
    let i = start;
    while (i < end && !this.broken) {
      if (!this.inPayload) {
        i = this.readHeader(bytes, i, end);
        continue;
      }
      const take = Math.min(this.payloadLeft, end - i);
      if (this.controlPayload !== null) {
        this.controlPayload.set(bytes.subarray(i, i + take), this.controlHave);
        this.controlHave += take;
      } else {
        this.handler.data(bytes, i, i + take);
      }
      i += take;
      this.payloadLeft -= take;
      if (this.payloadLeft === 0) this.endFrame();
    }
  }

  /** Consumes header bytes from `bytes[i..end)`; returns where it stopped. */
  private readHeader(bytes: Uint8Array, i: number, end: number): number {
    if (this.headHave === 0 && end - i >= 2) {
      const length = headerLength(bytes[i + 1]!);
      if (end - i >= length) {
        this.beginFrame(bytes, i);
        return i + length;
      }
    }
    // The header is split across reads: collect it byte by byte (rare, at most 14 bytes).
    this.head ??= new Uint8Array(MAX_HEADER);
    while (i < end) {
      this.head[this.headHave++] = bytes[i++]!;
      if (this.headHave >= 2 && this.headHave === headerLength(this.head[1]!)) {
        this.headHave = 0;
        this.beginFrame(this.head, 0);
        break;
      }
    }
    return i;
  }

  private beginFrame(h: Uint8Array, at: number): void {
    const b0 = h[at]!;
    const b1 = h[at + 1]!;
    if ((b0 & 0x70) !== 0) return this.fail('reserved bits set without an extension');
    if ((b1 & 0x80) !== 0) return this.fail('a server frame is masked');
    const opcode = b0 & 0x0f;
    let length = b1 & 0x7f;
    if (length === 126) {
      length = (h[at + 2]! << 8) | h[at + 3]!;
    } else if (length === 127) {
      // 64-bit length: anything past 2^32 is far beyond MAX_PAYLOAD anyway.
      if (h[at + 2]! | h[at + 3]! | h[at + 4]! | h[at + 5]!) return this.fail('frame longer than 4 GiB');
      length = ((h[at + 6]! << 24) >>> 0) + ((h[at + 7]! << 16) | (h[at + 8]! << 8) | h[at + 9]!);
    }
    if (length > MAX_PAYLOAD) return this.fail(`frame of ${length} bytes`);
    if (opcode >= 0x8) {
      if (length > 125 || (b0 & 0x80) === 0) return this.fail('control frame fragmented or over 125 bytes');
      if (opcode !== OPCODE_CLOSE && opcode !== OPCODE_PING && opcode !== OPCODE_PONG) return this.fail(`unknown control opcode ${opcode}`);
      this.controlPayload = new Uint8Array(length);
      this.controlHave = 0;
    } else {
      if (opcode !== OPCODE_TEXT && opcode !== OPCODE_BINARY && opcode !== OPCODE_CONTINUATION) return this.fail(`unknown data opcode ${opcode}`);
      this.handler.dataStart(opcode);
    }
    this.opcode = opcode;
    this.payloadLeft = length;
    this.inPayload = true;
    if (length === 0) this.endFrame();
  }

  private endFrame(): void {
    this.inPayload = false;
    if (this.controlPayload !== null) {
      const payload = this.controlPayload;
      this.controlPayload = null;
      this.handler.control(this.opcode, payload);
    } else {
      this.handler.dataEnd();
    }
  }

  private fail(reason: string): void {
    this.broken = true;
    this.handler.violation(reason);
  }
}

/** Header bytes of a server frame whose second byte is `b1` (length field plus mask key, if any). */
function headerLength(b1: number): number {
  const length7 = b1 & 0x7f;
  const extended = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
  return 2 + extended + ((b1 & 0x80) !== 0 ? 4 : 0);
}
