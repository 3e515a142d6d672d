// Latencies in microseconds, kept as counts in log-linear buckets: exact below 128 µs, then 128
// buckets per power of two (≤ 0.8% relative error). Memory stays fixed however many samples a
// run takes, and histograms from several generator processes add up exactly.

const SUB_BITS = 7;
const SUB = 1 << SUB_BITS; // 128
/** Largest value kept apart: ~71 minutes. Anything longer lands in the last bucket. */
const MAX_VALUE = 0xffff_ffff;
const BUCKETS = SUB + (31 - SUB_BITS + 1) * SUB;

/** A histogram as plain data, for IPC and results files. */
export interface HistogramSnapshot {
  /** [bucket index, count] pairs, only the non-empty buckets. */
  readonly buckets: ReadonlyArray<readonly [number, number]>;
  readonly count: number;
  readonly sum: number;
  readonly max: number;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private sum = 0;
  private largest = 0;

  record(micros: number): void {
    // Clocks of two processes can disagree by a few microseconds: a negative latency is zero.
    const v = micros > 0 ? Math.min(Math.round(micros), MAX_VALUE) : 0;
    this.counts[bucketOf(v)]!++;
    this.total++;
    this.sum += v;
    if (v > this.largest) this.largest = v;
  }

  get count(): number {
    return this.total;
  }

  get max(): number {
    return this.total === 0 ? Number.NaN : this.largest;
  }

  get mean(): number {
    return this.total === 0 ? Number.NaN : this.sum / this.total;
  }

  /**
   * The nearest-rank percentile `p` (0 < p ≤ 100): the smallest bucket holding at least p% of the
   * samples, reported as its upper bound (never above the largest sample). NaN when empty.
   */
  percentile(p: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b]!;
      if (seen >= rank) return Math.min(upperBound(b), this.largest);
    }
    return this.largest;
  }

  snapshot(): HistogramSnapshot {
    const buckets: Array<[number, number]> = [];
    for (let b = 0; b < BUCKETS; b++) if (this.counts[b]! > 0) buckets.push([b, this.counts[b]!]);
    return { buckets, count: this.total, sum: this.sum, max: this.largest };
  }

  /** Adds another histogram's samples to this one. */
  add(other: HistogramSnapshot): void {
    for (const [bucket, n] of other.buckets) {
      if (!Number.isInteger(bucket) || bucket < 0 || bucket >= BUCKETS) throw new RangeError(`histogram bucket ${bucket} out of range`);
      this.counts[bucket]! += n;
    }
    this.total += other.count;
    this.sum += other.sum;
    if (other.count > 0 && other.max > this.largest) this.largest = other.max;
  }

  static of(snapshots: readonly HistogramSnapshot[]): LatencyHistogram {
    const merged = new LatencyHistogram();
    for (const s of snapshots) merged.add(s);
    return merged;
  }
}

function bucketOf(v: number): number {
  if (v < SUB) return v;
  const exponent = 31 - Math.clz32(v); // ≥ SUB_BITS
  const shift = exponent - SUB_BITS;
  return SUB + shift * SUB + ((v >>> shift) - SUB);
}

/** The largest value that falls in bucket `b`. */
function upperBound(b: number): number {
  if (b < SUB) return b;
  const shift = Math.floor((b - SUB) / SUB);
  const sub = ((b - SUB) % SUB) + SUB;
  return (sub + 1) * 2 ** shift - 1;
}
