// The one console line a finished fan-out scenario prints.
import type { FanoutResult } from './run-fanout-scenario.js';

export function summaryLine({ figures: f }: FanoutResult): string {
  const kb = (bytes: number | null) => (bytes === null || Number.isNaN(bytes) ? '–' : (bytes / 1024).toFixed(1));
  return (
    `  ${f.delivery.deliveries} deliveries (lost ${f.delivery.lost}, dup ${f.delivery.duplicates}, out of order ${f.delivery.outOfOrder}), ` +
    `${f.delivery.perSecond}/s, ${f.efficiency.deliveriesPerServerCpuSecond} per server CPU-s ` +
    `(server ${f.cpuSeconds.server.user}u+${f.cpuSeconds.server.system}s, redis ${f.cpuSeconds.redis?.total ?? '–'}, generator ${f.cpuSeconds.generator.total}); ` +
    `latency p50/p99/max ${f.latencyMs.p50}/${f.latencyMs.p99}/${f.latencyMs.max} ms; publish p50/p99 ${f.publish.answerMs.p50}/${f.publish.answerMs.p99} ms ` +
    `(${f.publish.events} events); last delivery ${f.delivery.drainSeconds} s after the last publish (${f.delivery.drainEnd}); ` +
    `${kb(f.memory.serverBytesPerConnection)} KB per idle connection (${kb(f.memory.serverBytesPerConnectionMarginal)} KB for the second half)`
  );
}
