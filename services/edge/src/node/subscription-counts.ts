import type { Gauge } from '@tidings/observability';

/** Open subscriptions per channel or pattern on this node, for the admin API; their total, for /metrics. */
export class SubscriptionCounts {
  private readonly counts = new Map<string, number>();

  constructor(private readonly total: Gauge<never>) {}

  add(specs: readonly string[]): void {
    for (const spec of specs) this.counts.set(spec, (this.counts.get(spec) ?? 0) + 1);
    this.total.inc(specs.length);
  }

  remove(specs: readonly string[]): void {
    this.total.dec(specs.length);
    for (const spec of specs) {
      const count = (this.counts.get(spec) ?? 0) - 1;
      if (count > 0) this.counts.set(spec, count);
      else this.counts.delete(spec);
    }
  }

  /** The `limit` busiest entries (a report must stay small however many channels a node serves). */
  top(limit: number): Record<string, number> {
    const entries = [...this.counts];
    if (entries.length > limit) entries.sort((a, b) => b[1] - a[1]).length = limit;
    return Object.fromEntries(entries);
  }
}
