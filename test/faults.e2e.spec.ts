import { type FaultRunOptions, type PersistentRedis, type RedisServer, runThroughFault, startPersistentRedis, startRedisServer } from '@tidings/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeFleet, logReport, startEdgeFleet } from './fault-cluster.js';

// Faults on purpose, with real processes: publishers and durable devices (SSE, WebSocket,
// long-poll) run through each fault behind one balancer, and every event that got a 201 must reach
// every device once, in order. Small counts and short faults; `npm run faults -- --full` runs the
// larger versions.

const load = (scenario: string, url: string): FaultRunOptions => ({
  scenario,
  url,
  channels: ['orders', 'alerts/eu', 'alerts/us'],
  subscribersPerTransport: 2,
  publishers: 2,
  eventsPerPublisher: 60,
  paceMs: 20,
});

describe('edges failing behind a balancer', () => {
  let redis: RedisServer;
  let fleet: EdgeFleet;

  beforeAll(async () => {
    redis = await startRedisServer();
    fleet = await startEdgeFleet(redis.url, 3);
  });

  afterAll(async () => {
    await fleet?.stop();
    await redis?.stop();
  });

  it('kill -9 of an edge mid fan-out: its devices reconnect elsewhere and miss nothing', async () => {
    const report = await runThroughFault(load('edge-kill', fleet.balancer.url), () => fleet.crashAndReplace(0));
    logReport(report);
    expect(report.reconnects).toBeGreaterThan(0); // the fault did cut some devices off
    expect(report).toMatchObject({ missing: 0, outOfOrder: 0, resets: 0, unexpected: [] });
    expect(report.published).toBe(120);
  });

  it('a rolling SIGTERM restart of every edge under publishing: no loss, only retryable refusals', async () => {
    const report = await runThroughFault({ ...load('rolling-restart', fleet.balancer.url), eventsPerPublisher: 100 }, async () => {
      for (let i = 0; i < fleet.edges.length; i++) await fleet.drainAndReplace(i);
    });
    logReport(report);
    expect(report.reconnects).toBeGreaterThan(0);
    expect(report).toMatchObject({ missing: 0, outOfOrder: 0, resets: 0, unexpected: [] });
    expect(report.published).toBe(200);
  });
});

describe('a Redis restart with appendfsync always', () => {
  let redis: PersistentRedis;
  let fleet: EdgeFleet;

  beforeAll(async () => {
    redis = await startPersistentRedis('always');
    fleet = await startEdgeFleet(redis.url, 2);
  });

  afterAll(async () => {
    await fleet?.stop();
    await redis?.stop();
  });

  it('refuses publishes while Redis is down with 503 + Retry-After, and delivers every one that got a 201', async () => {
    const report = await runThroughFault(load('redis-restart-always', fleet.balancer.url), async () => {
      await redis.crash();
      await new Promise((resolve) => setTimeout(resolve, 1000)); // an outage publishers run into
      await redis.restart();
    });
    logReport(report);
    expect(report.refused + report.failedAttempts).toBeGreaterThan(0); // the outage was felt
    expect(report).toMatchObject({ missing: 0, outOfOrder: 0, resets: 0, unexpected: [] });
    expect(report.published).toBe(120);
  });
});
