import { describe, expect, it } from 'vitest';
import { headlineTable } from './headline.js';
import type { Run } from './results-set.js';

function run(scenario: string, server: string, config: Run['config'], figures: Run['figures']): Run {
  return { scenario, server, config, figures, description: server, loadAverageAtStart: 0, when: '2026-11-27T07:00:00Z', file: 'f.json', machine: {} as Run['machine'], argv: [scenario] };
}

const fanout = (server: string, mode: string, perCpu: number, p99: number) =>
  run('fanout', server, { transport: 'ws', subscribers: 10_000, mode }, { efficiency: { deliveriesPerServerCpuSecond: perCpu }, latencyMs: { p99 } });
const idle = (server: string, connections: number, held: number, bytes: number) =>
  run('connections', server, { transport: 'ws', connections }, { held, memory: { serverBytesPerConnection: bytes } });

/** A stepped run with the same p99 at each of its rates. */
const stepped = (server: string, rates: number[], p99: number): Run => ({
  ...run('fanout', server, { transport: 'ws', subscribers: 10_000, mode: 'stepped' }, {}),
  series: rates.map((offeredPerSecond) => ({ offeredPerSecond, latencyMs: { p99 } })),
});

describe('headlineTable', () => {
  it('puts each peer beside Tidings with Tidings’ advantage as a ratio, above 1 when Tidings is ahead', () => {
    const table = headlineTable([
      fanout('tidings', 'paced', 150_000, 200),
      fanout('nchan', 'paced', 100_000, 100),
      fanout('tidings', 'burst', 1_000_000, 300),
      fanout('soketi', 'burst', 250_000, 900),
      idle('tidings', 10_000, 10_000, 2048),
      idle('nchan', 10_000, 10_000, 10_240),
      idle('nchan', 50_000, 49_000, 10_240),
      stepped('tidings', [2, 5, 10, 20], 300),
      stepped('nchan', [2, 5, 10], 900),
    ]);
    expect(table).toContain('| deliveries per server CPU-second, paced (WebSocket, 10k subscribers) | 150k | 100k (Tidings 1.50×) | – | – |');
    expect(table).toContain('| deliveries per server CPU-second, burst (WebSocket, 10k subscribers) | 1.00M | – | – | 250k (Tidings 4.00×) |');
    expect(table).toContain('| server memory per idle connection (WebSocket, 10k) | 2.0 KB | 10.0 KB (Tidings 5.00×) | – | – |');
    expect(table).toContain('| publish→receive p99 at equal offered load (paced, 10k subscribers) | 200 ms | 100 ms (Tidings 0.50×) | – | – |');
    expect(table).toContain('| publish→receive p99 at equal offered load (open loop, 10 events/s, 10k subscribers) | 300 ms | 900 ms (Tidings 3.00×) | – | – |');
    expect(table).toContain('| largest connection count held (connections scenario) | 10k | 49k (Tidings 0.20×) | – | – |');
  });
});
