// One connection's view of the published sequence 1, 2, 3, …: every number must arrive once, in
// order. A number skipped and never seen again is lost; one skipped and seen later arrived out of
// order; one seen twice is a duplicate. Cheap on the happy path (one comparison), so every
// connection checks every event.

/** Skipped numbers remembered per connection before further gaps are only counted. */
const DEFAULT_MAX_TRACKED = 4096;

export interface SequenceCounts {
  /** Distinct sequence numbers received. */
  readonly received: number;
  readonly duplicates: number;
  /** Numbers that arrived after a later one. */
  readonly outOfOrder: number;
  /** Times the sequence jumped ahead (each jump may skip several numbers). */
  readonly gaps: number;
}

export class SequenceChecker implements SequenceCounts {
  /** The number expected next. */
  private next: number;
  /** Skipped numbers not seen yet; allocated on the first gap only. */
  private missing: Set<number> | null = null;
  /** Skipped numbers beyond the tracking cap: counted as lost, a late arrival reads as a duplicate. */
  private untracked = 0;
  received = 0;
  duplicates = 0;
  outOfOrder = 0;
  gaps = 0;

  constructor(
    first = 1,
    private readonly maxTracked = DEFAULT_MAX_TRACKED,
  ) {
    this.next = first;
  }

  accept(seq: number): void {
    if (seq === this.next) {
      this.next++;
      this.received++;
    } else if (seq > this.next) {
      this.gaps++;
      this.remember(this.next, seq);
      this.next = seq + 1;
      this.received++;
    } else if (this.missing !== null && this.missing.delete(seq)) {
      this.outOfOrder++;
      this.received++;
    } else {
      this.duplicates++;
    }
  }

  /** The highest number received so far (first − 1 before any). */
  get highest(): number {
    return this.next - 1;
  }

  /** Published numbers up to `last` that never arrived. */
  lost(last: number): number {
    const tail = Math.max(0, last - this.next + 1);
    return (this.missing?.size ?? 0) + this.untracked + tail;
  }

  /** Every number up to `last` arrived. */
  complete(last: number): boolean {
    return this.next > last && (this.missing === null || this.missing.size === 0) && this.untracked === 0;
  }

  private remember(from: number, to: number): void {
    this.missing ??= new Set();
    for (let n = from; n < to; n++) {
      if (this.missing.size >= this.maxTracked) {
        this.untracked += to - n;
        return;
      }
      this.missing.add(n);
    }
  }
}
