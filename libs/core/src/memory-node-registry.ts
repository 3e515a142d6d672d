import type { NodeRegistry, NodeReport, NodeStatus } from './ports.js';

/** The node registry of in-process edges. */
export class MemoryNodeRegistry implements NodeRegistry {
  private readonly reports = new Map<string, NodeReport & { lastSeen: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async report(report: NodeReport): Promise<void> {
    this.reports.set(report.node, { ...report, lastSeen: this.now() });
  }

  async remove(node: string): Promise<void> {
    this.reports.delete(node);
  }

  async nodes(): Promise<NodeStatus[]> {
    const freshAfter = this.now() - this.ttlMs;
    return [...this.reports.values()].map((r) => ({ ...r, alive: r.lastSeen >= freshAfter })).sort((a, b) => (a.node < b.node ? -1 : 1));
  }
}
