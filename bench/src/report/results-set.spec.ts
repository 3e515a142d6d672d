import { describe, expect, it } from 'vitest';
import { type Run, memoryPerConnection } from './results-set.js';

const run = (perProcess: number[], key = 'serverGrowthBytesPerProcess'): Run => ({
  scenario: 'connections',
  server: 'tidings',
  description: 'edges',
  config: { connections: 30_000 },
  loadAverageAtStart: 0,
  figures: { memory: { serverBytesPerConnection: 2100, [key]: perProcess } },
  when: '2026-11-27T10:00:00Z',
  file: 'f.json',
  machine: {} as Run['machine'],
  argv: ['connections'],
});

describe('memoryPerConnection', () => {
  it('quotes the memory growth per connection when every server process grew (or stayed within 1 MiB)', () => {
    expect(memoryPerConnection(run([31e6, 30e6, -0.5e6]))).toBe(2100);
  });

  it('is no measurement when a process shrank by more while taking connections', () => {
    expect(memoryPerConnection(run([31e6, -8e6]))).toBeNaN();
  });

  it('reads the per-process PSS growth of runs from before held memory was measured', () => {
    expect(memoryPerConnection(run([31e6, -8e6], 'serverPssBytesPerProcess'))).toBeNaN();
    expect(memoryPerConnection(run([31e6], 'serverPssBytesPerProcess'))).toBe(2100);
  });
});
