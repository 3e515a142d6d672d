import { type EdgeGroupMetrics, type Logger, type MetricsSnapshot, aggregateMetrics, snapshotMetrics } from '@tidings/observability';

/** A member as a scrape sees it. */
export interface ScrapeTarget {
  readonly node: string;
  collect(id: number, timeoutMs: number): Promise<MetricsSnapshot | undefined>;
}

/**
 * The group's /metrics, whichever member the kernel handed the scrape to: every serving member's
 * metrics and the supervisor's own, aggregated into one exposition. Bounded: a member that does not
 * hand in its metrics within `timeoutMs` is left out, counted and named in a log line, so a stuck
 * member can never hang a scrape. Not tied to how the scrape arrived, so a metrics port of the
 * supervisor's own could serve the same answer.
 */
export class GroupScraper {
  private lastId = 0;

  constructor(
    private readonly targets: () => readonly ScrapeTarget[],
    private readonly metrics: EdgeGroupMetrics,
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  async render(): Promise<string> {
    const id = ++this.lastId;
    const targets = this.targets();
    const snapshots = await Promise.all(targets.map((target) => target.collect(id, this.timeoutMs)));
    const missing = targets.filter((_, i) => snapshots[i] === undefined).map((target) => target.node);
    if (missing.length > 0) {
      this.metrics.scrapeTimeoutsTotal.inc(missing.length);
      this.logger.warn({ missing, timeoutMs: this.timeoutMs }, 'answered /metrics without the edge processes that did not hand in theirs in time');
    }
    const answered = snapshots.filter((snapshot): snapshot is MetricsSnapshot => snapshot !== undefined);
    return aggregateMetrics([await snapshotMetrics(this.metrics.registry), ...answered]);
  }
}
