import type { PruneLimits, RedisPruning } from '@tidings/broker';
import type { Logger, WorkerMetrics } from '@tidings/observability';

/** What the pruner counts, one label value each in tidings_worker_pruned_total. */
export const PRUNE_KINDS = ['entries', 'members', 'presence', 'owed', 'channels', 'nodes'] as const;
export type PruneKind = (typeof PRUNE_KINDS)[number];

const CHANNELS_PER_PAGE = 500;

/**
 * One pruning pass over every channel in the directory, run as a BullMQ job scheduler (once per
 * period across all workers). Each channel is pruned by one script, so a pass cut short by a
 * crash is simply finished by the next one: pruning twice removes nothing more.
 */
export class Pruner {
  constructor(
    private readonly pruning: RedisPruning,
    private readonly limits: PruneLimits,
    /** Edge-node reports not refreshed for this long are removed (the admin API lists them as dead until then). */
    private readonly deadNodeAfterMs: number,
    private readonly metrics: WorkerMetrics,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async run(): Promise<Record<PruneKind, number>> {
    const removed: Record<PruneKind, number> = { entries: 0, members: 0, presence: 0, owed: 0, channels: 0, nodes: 0 };
    for (let shard = 0; shard < this.pruning.shards; shard++) {
      let cursor = '0';
      do {
        const page = await this.pruning.directoryPage(shard, cursor, CHANNELS_PER_PAGE);
        cursor = page.next;
        for (const { channel, stamp } of page.channels) {
          const pruned = await this.pruning.pruneChannel(channel, this.limits);
          removed.entries += pruned.entries;
          removed.members += pruned.members;
          removed.presence += pruned.presence;
          removed.owed += pruned.owed;
          if (pruned.empty && (await this.pruning.forgetChannel(channel, stamp))) removed.channels += 1;
        }
      } while (cursor !== '0');
    }
    removed.nodes = await this.pruning.pruneNodes(this.now() - this.deadNodeAfterMs);
    for (const kind of PRUNE_KINDS) this.metrics.prunedTotal.inc({ kind }, removed[kind]);
    this.logger.info({ removed }, 'pruned');
    return removed;
  }
}
