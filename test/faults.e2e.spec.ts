import { reconnectStorm, STORM_CI } from '@tidings/bench';
import { CI_SCALE, clusterMasterKill, clusterSlotMigration, edgeKill, redisRestart, rollingRestart, scaleOutAndIn, networkFaults, type ScenarioReport, workerFaults, workerScale } from '@tidings/testing';
import { describe, expect, it } from 'vitest';

// Faults on purpose, with real processes: publishers and durable devices (SSE, WebSocket,
// long-poll) run through each fault behind one balancer, and every event that got a 201 must reach
// every device, in order. Small counts and short faults; `npm run faults -- --full` runs the larger
// versions and writes their table into the README.

const published = CI_SCALE.publishers * CI_SCALE.eventsPerPublisher;

/** The numbers behind the assertions, one line per scenario in the test output. */
function logged<T extends ScenarioReport>(report: T): T {
  const { faults, unexpected, ...figures } = report;
  console.info(JSON.stringify({ ...figures, faults: faults.length, unexpected: unexpected.length }));
  return report;
}

describe('edges failing behind a balancer', () => {
  it('kill -9 of an edge mid fan-out: its devices reconnect elsewhere and miss nothing', async () => {
    const report = logged(await edgeKill(CI_SCALE));
    expect(report.reconnects).toBeGreaterThan(0); // the fault did cut devices off
    expect(report).toMatchObject({ published, missing: 0, outOfOrder: 0, resets: 0, unexpected: [] });
  }, 120_000);

  it('a rolling SIGTERM restart of every edge under publishing: no loss, only retryable refusals', async () => {
    const report = logged(await rollingRestart(CI_SCALE));
    expect(report.reconnects).toBeGreaterThan(0);
    expect(report).toMatchObject({ published, missing: 0, outOfOrder: 0, resets: 0, unexpected: [] });
  }, 120_000);
});

describe('edges added and removed under load', () => {
  it('scale-out by two edges, then scale-in by two drained ones: no loss', async () => {
    const report = logged(await scaleOutAndIn(CI_SCALE));
    expect(report.reconnects).toBeGreaterThan(0); // the drained edges' devices moved
    expect(report).toMatchObject({ published, missing: 0, outOfOrder: 0, resets: 0, unexpected: [] });
  }, 120_000);
});

describe('a Redis crash and restart', () => {
  it('with appendfsync always: publishes in the outage get 503 + Retry-After, and every one that got a 201 is delivered', async () => {
    const report = logged(await redisRestart('always', CI_SCALE));
    expect(report.refused + report.failedAttempts).toBeGreaterThan(0); // the outage was felt
    expect(report).toMatchObject({ published, missing: 0, outOfOrder: 0, resets: 0, unexpected: [], lostByRedis: 0 });
  });

  it('with appendfsync everysec: what Redis lost is measured, and nothing it kept is missing', async () => {
    // A busier publisher, so the last second before the crash holds events to lose.
    const report = logged(await redisRestart('everysec', { ...CI_SCALE, paceMs: 2 }));
    expect(report).toMatchObject({ published, outOfOrder: 0, unexpected: [], missingKept: 0 });
  }, 120_000);
});

describe('a Redis Cluster master killed under load', () => {
  it('fails over to its replica; edges follow, and every event that got a 201 is delivered', async () => {
    const report = logged(await clusterMasterKill(CI_SCALE));
    expect(report).toMatchObject({ published, missing: 0, outOfOrder: 0, resets: 0, unexpected: [] });
  }, 120_000);
});

describe('Redis Cluster slots moved under load', () => {
  it('each busy slot migrated to another master (MIGRATE, ASK, SETSLOT): every event that got a 201 is delivered', async () => {
    const report = logged(await clusterSlotMigration(CI_SCALE));
    expect(report).toMatchObject({ published, missing: 0, outOfOrder: 0, resets: 0, unexpected: [] });
  }, 120_000);
});

describe('workers crashing and racing while devices answer, late or never', () => {
  // Smaller than the other scenarios: each (event, device) pair is read back at the end.
  const scale = workerScale({ ...CI_SCALE, eventsPerPublisher: 20 });
  const pairs = 3 * scale.subscribersPerTransport * scale.publishers * scale.eventsPerPublisher;
  const ended = { pairs, unsettled: 0, wrongEnd: 0, wrongRetries: 0, lettersMissing: 0, lettersDuplicated: 0 };

  it('kill -9 of a worker during retries: every ack pair ends answered or dead once, each dead one in one dead letter', async () => {
    const report = logged(await workerFaults('kill', scale));
    expect(report.receipts).toMatchObject({ ...ended, dead: pairs / 3 }); // the long-poll devices never answer
    expect(report).toMatchObject({ missing: 0, outOfOrder: 0, unexpected: [] });
  }, 180_000);

  it('two workers started at once on a backlog of due rounds: each pair still ends once', async () => {
    const report = logged(await workerFaults('race', scale));
    expect(report.receipts).toMatchObject({ ...ended, dead: pairs / 3 });
    expect(report).toMatchObject({ missing: 0, outOfOrder: 0, unexpected: [] });
  }, 180_000);
});

describe('the network failing between edges and Redis', () => {
  // Through a fault-injecting proxy: latency, a bandwidth limit, a partition, resets, then the open
  // connections gone silent without closing (before the watchdog, publishes hung there for good).
  // The same faults between clients and edges run in the full suite (network-clients).
  it('every publish that got a 201 reaches every device once the edges find their way back', async () => {
    const report = logged(await networkFaults('redis', CI_SCALE, 500));
    expect(report).toMatchObject({ published, missing: 0, outOfOrder: 0, resets: 0, unexpected: [] });
  }, 180_000);
});

describe('a reconnect storm', () => {
  // A few hundred durable devices (WebSocket, SSE, long-poll) held by the bench's load generator in
  // two processes against a two-process edge group, all cut off at once under steady publishing;
  // the full run has 24,000.
  it('every connection reset at once: each device reconnects with the client backoff and resumes, nothing lost, repeated or out of order', async () => {
    const report = logged(await reconnectStorm(STORM_CI));
    expect(report.resumed).toBeGreaterThanOrEqual(STORM_CI.devices); // every device was cut and came back
    expect(report.recovered).toBe(STORM_CI.devices); // each got an event published after the cut
    expect(report.published).toBeGreaterThan(0);
    expect(report).toMatchObject({ subscribers: STORM_CI.devices, missing: 0, duplicated: 0, outOfOrder: 0, unexpected: [] });
    expect(report.edges.restarted).toBe(0);
  }, 180_000);

  it('every edge process killed at once: the supervisor starts them again and every device resumes with nothing lost', async () => {
    const report = logged(await reconnectStorm(STORM_CI, 'edge-kill'));
    expect(report.edges.restarted).toBe(STORM_CI.edgeProcesses);
    expect(report.recovered).toBe(STORM_CI.devices);
    expect(report).toMatchObject({ subscribers: STORM_CI.devices, missing: 0, duplicated: 0, outOfOrder: 0, unexpected: [] });
  }, 180_000);
});
