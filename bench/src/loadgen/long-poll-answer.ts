// One long-poll answer's body as it arrives: `Content-Length` bytes of `{"events":[…],"resets":[…],
// "cursor":"…"}`. The events go through the connection's marker scanner like any other stream; only
// the last bytes are kept, for the cursor the next request passes back as `since`.

/** Enough of the body's end to hold `"cursor":"…"}`: a cursor is base64url, a few dozen bytes per channel. */
const TAIL_CAP = 1024;
const CURSOR = /"cursor":"([A-Za-z0-9_-]+)"\}\s*$/;

/** The cursor at the end of a long-poll answer, or null when the text does not end with one. */
export function cursorAtEnd(text: string): string | null {
  return CURSOR.exec(text)?.[1] ?? null;
}

/** The long-poll request line and headers: `since` absent for the first request, which asks for the current cursor at once. */
export function pollRequest(host: string, path: string, since: string | null, timeoutSeconds: number): string {
  const query = since === null ? '&timeout=0' : `&timeout=${timeoutSeconds}&since=${since}`;
  return `GET ${path}${query} HTTP/1.1\r\nHost: ${host}\r\nAccept: application/json\r\n\r\n`;
}

export class LongPollAnswer {
  private readonly tail = Buffer.allocUnsafe(TAIL_CAP);
  private tailLength = 0;
  private remaining = 0;

  /** A new answer of `length` body bytes begins. */
  begin(length: number): void {
    this.remaining = length;
    this.tailLength = 0;
  }

  get complete(): boolean {
    return this.remaining === 0;
  }

  /** Takes what of `bytes[start..end)` belongs to the body; returns where the body ended in it. */
  take(bytes: Uint8Array, start: number, end: number): number {
    const stop = Math.min(end, start + this.remaining);
    this.remaining -= stop - start;
    const keep = Math.min(stop - start, TAIL_CAP);
    if (this.tailLength + keep > TAIL_CAP) {
      const drop = this.tailLength + keep - TAIL_CAP;
      this.tail.copy(this.tail, 0, drop, this.tailLength);
      this.tailLength -= drop;
    }
    this.tail.set(bytes.subarray(stop - keep, stop), this.tailLength);
    this.tailLength += keep;
    return stop;
  }

  /** The cursor of a complete answer, or null when it has none. */
  cursor(): string | null {
    return cursorAtEnd(this.tail.toString('latin1', 0, this.tailLength));
  }
}
