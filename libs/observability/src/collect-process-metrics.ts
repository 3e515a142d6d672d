import { type Registry, collectDefaultMetrics } from 'prom-client';

// prom-client's totals of active handles, requests and resources are gauges named `_total`, which
// Prometheus reserves for counters (promtool rejects them). The same numbers stay available by
// type, in the `tidings_nodejs_active_{handles,requests,resources}` gauges.
const MISNAMED_GAUGES = ['tidings_nodejs_active_handles_total', 'tidings_nodejs_active_requests_total', 'tidings_nodejs_active_resources_total'];

/** Node's process and event-loop metrics under `tidings_`, minus the ones that break Prometheus naming. */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, prefix: 'tidings_' });
  for (const name of MISNAMED_GAUGES) registry.removeSingleMetric(name);
}
