import { AggregatorRegistry, type Registry } from 'prom-client';

/** One registry's metrics as plain data (prom-client's `getMetricsAsJSON()`), fit to cross a process boundary. */
export type MetricsSnapshot = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** The plain-data form of a registry, for `aggregateMetrics` in another process. */
export function snapshotMetrics(registry: Registry): Promise<MetricsSnapshot> {
  return registry.getMetricsAsJSON();
}

/**
 * One Prometheus text exposition for several processes. Series with the same name and labels are
 * combined by the metric's own aggregator (a sum unless it says otherwise: prom-client averages
 * event-loop lag, keeps the first version label); series whose labels differ stay apart, so the
 * edge's series, all labelled `node`, come out once per process.
 */
export function aggregateMetrics(snapshots: readonly MetricsSnapshot[]): Promise<string> {
  return AggregatorRegistry.aggregate([...snapshots]).metrics();
}
