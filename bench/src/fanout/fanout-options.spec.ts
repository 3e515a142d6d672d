import { describe, expect, it } from 'vitest';
import { UsageError, parseFanoutArgs } from './fanout-options.js';

describe('parseFanoutArgs', () => {
  it('runs Tidings, the floor and Nchan on 1k SSE subscribers, paced, by default', () => {
    const { scenarios } = parseFanoutArgs([]);
    expect(scenarios.map((s) => s.server)).toEqual(['tidings', 'floor', 'nchan']);
    expect(scenarios[0]).toMatchObject({ transport: 'sse', subscribers: 1000, mode: 'paced', seconds: 20, intervalMs: 100, payloadBytes: 64, sampleEvery: 64 });
  });

  it('expands comma lists into every combination, the servers of one combination side by side', () => {
    const { scenarios } = parseFanoutArgs(['--server', 'tidings,nchan', '--transport=sse,ws', '--subscribers', '1000,10000', '--mode', 'paced,burst']);
    expect(scenarios).toHaveLength(16);
    expect(scenarios.slice(0, 3).map((s) => [s.server, s.transport, s.subscribers, s.mode])).toEqual([
      ['tidings', 'sse', 1000, 'paced'],
      ['nchan', 'sse', 1000, 'paced'],
      ['tidings', 'sse', 1000, 'burst'],
    ]);
  });

  it('gives each 15k subscribers a server and a generator process unless told otherwise', () => {
    const [tidings, floor, nchan] = parseFanoutArgs(['--subscribers', '100000']).scenarios;
    expect([tidings!.serverProcesses, floor!.serverProcesses, nchan!.serverProcesses, tidings!.generatorProcesses]).toEqual([7, 7, 7, 7]);
    const small = parseFanoutArgs(['--subscribers', '1000']).scenarios;
    expect(small.map((s) => s.serverProcesses)).toEqual([1, 1, 2]);
    expect(parseFanoutArgs(['--server-processes', '3']).scenarios.every((s) => s.serverProcesses === 3)).toBe(true);
  });

  it('refuses unknown options, bad values and stray arguments with a usage error', () => {
    for (const argv of [['--servers', 'tidings'], ['--server', 'redis'], ['--subscribers', '1e3'], ['--seconds', '0'], ['--mode'], ['tidings'], ['--label', 'a b']]) {
      expect(() => parseFanoutArgs(argv), argv.join(' ')).toThrow(UsageError);
    }
  });

  it('skips the SSE runs of servers that speak WebSocket only', () => {
    const { scenarios } = parseFanoutArgs(['--server', 'tidings,socketio,soketi', '--transport', 'sse,ws']);
    expect(scenarios.map((s) => `${s.server} ${s.transport}`)).toEqual(['tidings sse', 'tidings ws', 'socketio ws', 'soketi ws']);
  });
});
