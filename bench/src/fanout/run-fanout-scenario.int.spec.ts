// Smoke test of the whole bench path against real processes: a redis-server, an edge, the load
// generator's child processes and raw sockets. Small on purpose (200 subscribers, 1 s of events):
// it proves the parts fit and every figure is produced, never how fast anything is.
import { describe, expect, it } from 'vitest';
import type { Transport } from '../loadgen/index.js';
import { parseFanoutArgs } from './fanout-options.js';
import { runFanoutScenario } from './run-fanout-scenario.js';

/** Dotted paths of every leaf that is not a finite number, a string or a count record. */
function missingFigures(value: unknown, path = ''): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [path];
  if (typeof value === 'string') return [];
  if (value === null || typeof value !== 'object') return [path];
  return Object.entries(value).flatMap(([key, inner]) => missingFigures(inner, path === '' ? key : `${path}.${key}`));
}

describe('the fan-out bench against a real edge', () => {
  for (const transport of ['sse', 'ws'] satisfies Transport[]) {
    it(`delivers every event to every ${transport} subscriber once, in order, and reports every figure`, async () => {
      const [scenario] = parseFanoutArgs(['--server', 'tidings', '--transport', transport, '--subscribers', '200', '--seconds', '1', '--sample-every', '8', '--drain-seconds', '20']).scenarios;
      const { figures } = await runFanoutScenario(scenario!, { log: () => undefined, signal: new AbortController().signal, settleMs: 300 });

      expect(figures.connections).toMatchObject({ ready: 200, failed: 0 });
      expect(figures.delivery.events).toBeGreaterThan(0);
      expect(figures.delivery).toMatchObject({ drainEnd: 'complete', lost: 0, duplicates: 0, outOfOrder: 0, gaps: 0, incompleteConnections: 0, droppedConnections: 0 });
      expect(figures.delivery.deliveries).toBe(figures.delivery.events * 200);
      expect(figures.latencyMs.samples).toBe(figures.delivery.events * 25);
      expect(missingFigures(figures)).toEqual([]);
    }, 60_000);
  }
});
