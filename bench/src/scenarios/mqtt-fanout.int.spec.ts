// The MQTT fan-out scenario's smoke run, so it cannot rot: `npm run bench -- mqtt-fanout` at 200
// MQTT-over-WebSocket subscribers for one second, on Tidings and on Mosquitto, with the real load
// generator. It checks that every event reached every subscriber once and in order — never how fast.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resultsProblems } from '../suite/results-file.js';
import { runBench } from '../suite/run-bench.js';

const dir = mkdtempSync(join(tmpdir(), 'tidings-bench-mqtt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run bench -- mqtt-fanout (smoke)', () => {
  it('delivers every event to 200 MQTT subscribers of Tidings and of Mosquitto, once and in order', async () => {
    const out = join(dir, 'mqtt-fanout.json');
    const code = await runBench(['mqtt-fanout', '--servers', 'tidings,mosquitto', '--subscribers', '200', '--mode', 'paced', '--seconds', '1', '--out', out]);
    expect(code).toBe(0);
    const file = JSON.parse(readFileSync(out, 'utf8')) as { results: { server: string; figures: { connections: { ready: number }; delivery: Record<string, unknown> & { events: number; deliveries: number } } }[] };
    expect(resultsProblems(file)).toEqual([]);
    expect(file.results.map((r) => r.server)).toEqual(['tidings', 'mosquitto']);
    for (const { figures } of file.results) {
      expect(figures.connections.ready).toBe(200);
      expect(figures.delivery).toMatchObject({ drainEnd: 'complete', lost: 0, duplicates: 0, outOfOrder: 0, gaps: 0, droppedConnections: 0 });
      expect(figures.delivery.deliveries).toBe(figures.delivery.events * 200);
    }
  }, 90_000);
});
