// The suite's smoke run, so it cannot rot: `npm run bench -- fanout` as a user types it, at 1,000
// subscribers (half SSE, half WebSocket) and at 500 long-poll ones, two seconds each, Tidings only,
// against a real redis-server, real edges and the real load generator. It checks what a run must always deliver — every event to
// every subscriber once, in order, and a well-formed results file — never how fast.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resultsProblems } from './results-file.js';
import { runBench } from './run-bench.js';

const dir = mkdtempSync(join(tmpdir(), 'tidings-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run bench (smoke)', () => {
  it('delivers every event to 1,000 mixed subscribers with no loss and writes a well-formed results file', async () => {
    const out = join(dir, 'fanout.json');
    const code = await runBench(['fanout', '--servers', 'tidings', '--transport', 'mixed', '--subscribers', '1000', '--mode', 'paced', '--seconds', '2', '--out', out]);
    expect(code).toBe(0);

    const file: unknown = JSON.parse(readFileSync(out, 'utf8'));
    expect(resultsProblems(file)).toEqual([]);
    const [run] = (file as { results: Array<{ figures: { connections: { ready: number }; delivery: Record<string, unknown> & { events: number; deliveries: number } } }> }).results;
    expect(run!.figures.connections.ready).toBe(1000);
    expect(run!.figures.delivery).toMatchObject({ drainEnd: 'complete', lost: 0, duplicates: 0, outOfOrder: 0, gaps: 0, droppedConnections: 0 });
    expect(run!.figures.delivery.events).toBeGreaterThan(0);
    expect(run!.figures.delivery.deliveries).toBe(run!.figures.delivery.events * 1000);
  }, 90_000);

  it('delivers every event to long-poll subscribers, each following its cursor on one keep-alive connection', async () => {
    const out = join(dir, 'fanout-poll.json');
    const code = await runBench(['fanout', '--servers', 'tidings', '--transport', 'poll', '--subscribers', '500', '--mode', 'burst', '--seconds', '2', '--out', out]);
    expect(code).toBe(0);
    const [run] = (JSON.parse(readFileSync(out, 'utf8')) as { results: Array<{ config: { transport: string }; figures: { connections: { ready: number }; delivery: Record<string, unknown> & { events: number; deliveries: number } } }> }).results;
    expect(run!.config.transport).toBe('poll');
    expect(run!.figures.connections.ready).toBe(500);
    expect(run!.figures.delivery).toMatchObject({ drainEnd: 'complete', lost: 0, duplicates: 0, outOfOrder: 0, gaps: 0, droppedConnections: 0 });
    // A burst publishes while answers are in flight: events land between polls and must come with the next answer.
    expect(run!.figures.delivery.events).toBeGreaterThan(1);
    expect(run!.figures.delivery.deliveries).toBe(run!.figures.delivery.events * 500);
  }, 90_000);

  it('refuses a bad option with one line and exit code 2', async () => {
    expect(await runBench(['fanout', '--subscribers', 'many'])).toBe(2);
    expect(await runBench(['no-such-scenario'])).toBe(2);
  });
});
