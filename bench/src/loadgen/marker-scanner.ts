// Finds the bench's sequence markers in a byte stream without decoding it. Every event's data
// starts with `q<seq>.<sentMicros>.`, which reads the same inside Tidings' JSON envelope, an
// SSE `data:` line or a WebSocket text frame, so one scanner serves every server. Nothing else
// a server sends matches `q<digits>.`: cursors are base64 (no dot), chunk sizes are hex (no q).

const Q = 0x71;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
/** More digits than any sequence number or microsecond clock has: a false start, not a marker. */
const MAX_DIGITS = 16;

const SEEK = 0;
const SEQ = 1;
const TIME = 2;

/** Receives each marker: its sequence number and, when the scanner is timed, the send time (µs). */
export type MarkerSink = (seq: number, sentMicros: number) => void;

/**
 * A resumable scanner: bytes may arrive split anywhere (a marker across two reads is found once).
 * An untimed scanner stops reading at the dot after the sequence number, so the timestamp costs
 * nothing on the connections that are not sampled for latency; it reports NaN as the send time.
 */
export class MarkerScanner {
  private phase = SEEK;
  private seq = 0;
  private time = 0;
  private digits = 0;

  constructor(
    private readonly timed: boolean,
    private readonly sink: MarkerSink,
  ) {}

  /** Forgets a marker begun in earlier bytes (a new WebSocket frame cannot continue it). */
  reset(): void {
    this.phase = SEEK;
  }

  scan(bytes: Uint8Array, start: number, end: number): void {
    let phase = this.phase;
    let seq = this.seq;
    let time = this.time;
    let digits = this.digits;
    for (let i = start; i < end; i++) {
      const b = bytes[i]!;
      if (phase === SEEK) {
        if (b === Q) {
          phase = SEQ;
          seq = 0;
          digits = 0;
        }
      } else if (b >= ZERO && b <= NINE && digits < MAX_DIGITS) {
        if (phase === SEQ) seq = seq * 10 + (b - ZERO);
        else time = time * 10 + (b - ZERO);
        digits++;
      } else if (b === DOT && digits > 0) {
        if (phase === SEQ && this.timed) {
          phase = TIME;
          time = 0;
          digits = 0;
        } else {
          this.sink(seq, phase === TIME ? time : Number.NaN);
          phase = SEEK;
        }
      } else {
        // Not a marker after all; this byte may itself start one.
        phase = b === Q ? SEQ : SEEK;
        seq = 0;
        digits = 0;
      }
    }
    this.phase = phase;
    this.seq = seq;
    this.time = time;
    this.digits = digits;
  }
}
