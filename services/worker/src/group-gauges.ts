import type { ConsumerGroups } from '@tidings/core';
import type { Logger, WorkerMetrics } from '@tidings/observability';

/**
 * The lag and pending gauges of the consumer groups an operator listed (groups.lagMetrics),
 * read from Redis when /metrics is scraped: a label pair per listed group, never one per group
 * that happens to exist.
 */
export class GroupGauges {
  constructor(
    private readonly groups: ConsumerGroups,
    private readonly watched: readonly { readonly channel: string; readonly group: string }[],
    private readonly metrics: WorkerMetrics,
    private readonly logger: Logger,
  ) {}

  async refresh(): Promise<void> {
    const { groupLag, groupPending } = this.metrics;
    await Promise.all(
      this.watched.map(async (labels) => {
        try {
          const info = await this.groups.info(labels.channel, labels.group);
          if (info) groupPending.set(labels, info.pending);
          else groupPending.remove(labels);
          if (info?.lag != null) groupLag.set(labels, info.lag);
          else groupLag.remove(labels);
        } catch (error) {
          this.logger.warn({ err: error, ...labels }, 'could not read a consumer group for /metrics');
        }
      }),
    );
  }
}
