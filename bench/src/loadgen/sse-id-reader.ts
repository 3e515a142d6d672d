// Follows the `id:` lines of an SSE stream as its bytes arrive (split anywhere), keeping the last
// one: what a durable subscriber sends back as Last-Event-ID when it reconnects. The edge writes
// each event whole, so an HTTP chunk header never falls inside a line; chunk-size lines are
// simply lines that are not `id:` ones.

const LF = 0x0a;
const PREFIX = Buffer.from('id: ');
/** Longer than any cursor the edge sends: a longer line is not an id we could use. */
const MAX_ID_BYTES = 1024;

export class SseIdReader {
  /** The last complete id, or the one the reader started from. */
  last: string | null;
  /** Bytes of the current line matched against PREFIX so far; -1: this line is no id line. */
  private matched = 0;
  private readonly value = Buffer.allocUnsafe(MAX_ID_BYTES);
  private length = 0;

  constructor(start: string | null = null) {
    this.last = start;
  }

  feed(bytes: Uint8Array, start: number, end: number): void {
    for (let i = start; i < end; i++) {
      const b = bytes[i]!;
      if (b === LF) {
        if (this.matched === PREFIX.length) this.last = this.value.toString('latin1', 0, this.length).replace(/\r$/, '');
        this.matched = 0;
        this.length = 0;
      } else if (this.matched === PREFIX.length) {
        if (this.length < MAX_ID_BYTES) this.value[this.length++] = b;
        else this.matched = -1;
      } else if (this.matched >= 0) {
        this.matched = PREFIX[this.matched] === b ? this.matched + 1 : -1;
      }
    }
  }
}
