import type { NodeRegistry } from '@tidings/core';
import type { Logger } from '@tidings/observability';
import type { SessionRegistry } from '../sessions/session-registry.js';
import type { SubscriptionCounts } from './subscription-counts.js';

const MAX_REPORTED_SUBSCRIPTIONS = 10_000;

/** Tells the cluster, every interval, that this node is alive and what it holds. */
export class NodeReporter {
  private readonly startedAt = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly registry: NodeRegistry,
    private readonly node: string,
    private readonly sessions: SessionRegistry,
    private readonly subscriptions: SubscriptionCounts,
    intervalMs: number,
    private readonly logger: Logger,
  ) {
    this.timer = setInterval(() => void this.report(), intervalMs);
    void this.report();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.registry.remove(this.node).catch((error: unknown) => this.logger.warn({ err: error }, 'could not deregister the node'));
  }

  private async report(): Promise<void> {
    try {
      await this.registry.report({
        node: this.node,
        startedAt: this.startedAt,
        connections: this.sessions.countByTransport(),
        subscriptions: this.subscriptions.top(MAX_REPORTED_SUBSCRIPTIONS),
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'could not report this node');
    }
  }
}
