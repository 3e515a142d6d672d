// Collects an HTTP/1.1 response head (status line and headers) from bytes split anywhere, and says
// where the body starts in the read that completed it. Only the first few hundred bytes of a
// connection go through here; everything after the head goes straight to the frame scanners.

const END = '\r\n\r\n';
/** A head longer than this is not one a bench server sends. */
const MAX_HEAD_BYTES = 16 * 1024;

export class ResponseHeadError extends Error {}

export class ResponseHeadReader {
  private text = '';
  status = 0;
  private headers: Map<string, string> | null = null;

  /**
   * Takes `bytes[start..end)`; returns the offset in `bytes` where the body begins once the head is
   * complete, or -1 while it is not. Throws ResponseHeadError on a malformed or oversized head.
   */
  feed(bytes: Uint8Array, start: number, end: number): number {
    const before = this.text.length;
    this.text += Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
    const at = this.text.indexOf(END, Math.max(0, before - END.length + 1));
    if (at < 0) {
      if (this.text.length > MAX_HEAD_BYTES) throw new ResponseHeadError(`no end of the response head within ${MAX_HEAD_BYTES} bytes`);
      return -1;
    }
    const head = this.text.slice(0, at);
    this.text = '';
    this.parse(head);
    return start + (at + END.length - before);
  }

  /** A header's value (name case-insensitive), once the head is complete. */
  header(name: string): string | undefined {
    return this.headers?.get(name.toLowerCase());
  }

  private parse(head: string): void {
    const lines = head.split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
    if (match === null) throw new ResponseHeadError(`not an HTTP/1.x status line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
    this.status = Number(match[1]);
    this.headers = new Map();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) this.headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
  }
}
