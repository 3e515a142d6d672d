import { describe, expect, it } from 'vitest';
import { parseFanoutArgs } from './fanout-options.js';
import type { FanoutFigures } from './fanout-figures.js';
import { fanoutTable } from './fanout-table.js';
import type { FanoutResult } from './run-fanout-scenario.js';

function result(server: 'tidings' | 'floor' | 'nchan', microsPerDelivery: number): FanoutResult {
  const [scenario] = parseFanoutArgs(['--server', server, '--subscribers', '10000', '--mode', 'burst']).scenarios;
  const figures = {
    efficiency: { deliveriesPerServerCpuSecond: Math.round(1e6 / microsPerDelivery), deliveriesPerServerAndRedisCpuSecond: null, serverMicrosPerDelivery: microsPerDelivery },
    latencyMs: { samples: 1, p50: 150.4, p99: 420, max: 500 },
    publish: { answerMs: { samples: 1, p50: 0.61, p99: 2 } },
    memory: { serverBytesPerConnection: 4096 },
    delivery: { lost: 0, duplicates: 0, outOfOrder: 0, drainEnd: 'complete', drainSeconds: 0.2, perSecond: 70_000 },
    cpuSeconds: { server: { user: 1, system: 2 }, generator: { total: 3 } },
  } as unknown as FanoutFigures;
  return { scenario: scenario!, server: server, loadAverageAtStart: 0, figures };
}

describe('fanoutTable', () => {
  it('puts each run on a row and Tidings’ CPU per delivery over the floor’s and Nchan’s', () => {
    const table = fanoutTable([{ when: 'now', results: [result('tidings', 10), result('floor', 8), result('nchan', 12.5)] }]);
    expect(table).toContain('| tidings | sse | 10k | burst | 100k | – | 150 / 420 | 0.6 / 2.0 | 4.0 | 0 / 0 / 0 | 0.2 | 70k | 1 + 2 | 3 |');
    expect(table).toContain('| sse 10000 burst | 1.25× | 0.80× |');
  });

  it('shows a failed run as such', () => {
    const [scenario] = parseFanoutArgs(['--server', 'nchan']).scenarios;
    expect(fanoutTable([{ when: 'now', results: [{ scenario: scenario!, error: 'nginx | exited' }] }])).toContain('failed: nginx / exited');
  });
});
