/**
 * When an in-memory map that forgets stale entries sweeps them: once it holds twice what the last
 * sweep kept (and at least `first`), so sweeping costs O(1) per insert, amortised, with no timer —
 * the in-process twin of keys that Redis expires.
 */
export class SweepSchedule {
  private next: number;

  constructor(private readonly first = 1024) {
    this.next = first;
  }

  due(size: number): boolean {
    return size >= this.next;
  }

  /** A sweep left `kept` entries. */
  swept(kept: number): void {
    this.next = Math.max(this.first, 2 * kept);
  }
}
