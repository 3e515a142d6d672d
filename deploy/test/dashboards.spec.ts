import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type EdgeProcess, freePort, redisCommand, type RedisServer, type ServiceProcess, SseClient, startEdge, startWorker, useOrStartRedis, waitUntil, WsClient } from '@tidings/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Dashboard, loadDashboards, substituteVariables } from './support/dashboards.js';
import { type PrometheusServer, startPrometheus } from './support/prometheus-server.js';

const ALERTS_FILE = fileURLToPath(new URL('../prometheus/tidings-alerts.yaml', import.meta.url));
/** Several scrapes wide at the 1 s scrape interval the test Prometheus uses. */
const RATE_INTERVAL = '30s';
const dashboards = loadDashboards();

/** A lone edge, a group of two behind one ops listener, a worker, and Prometheus scraping them all. */
interface LiveCluster {
  redis: RedisServer;
  edge: EdgeProcess;
  group: EdgeProcess;
  worker: ServiceProcess;
  prometheus: PrometheusServer;
}
const live = {} as LiveCluster;

beforeAll(async () => {
  live.redis = await useOrStartRedis();
  const { redis } = live;
  const groupMetricsPort = await freePort();
  const [edge, group, worker] = await Promise.all([
    startEdge({ redisUrl: redis.url, args: ['--node-id', 'dash-edge'] }),
    startEdge({ redisUrl: redis.url, args: ['--node-id', 'dash-group', '--processes', '2', '--metrics-port', String(groupMetricsPort), '--metrics-host', '127.0.0.1'] }),
    startWorker({ redisUrl: redis.url, args: ['--worker-id', 'dash-worker', '--receipts-ack-timeout-seconds', '1', '--receipts-max-retries', '1', '--receipts-deadline-seconds', '3'] }),
  ]);
  Object.assign(live, { edge, group, worker });
  live.prometheus = await startPrometheus(
    [
      { name: 'tidings-edge', targets: [`127.0.0.1:${edge.port}`, `127.0.0.1:${groupMetricsPort}`] },
      { name: 'tidings-worker', targets: [`127.0.0.1:${worker.port}`] },
    ],
    [ALERTS_FILE],
  );
  await trafficThatTouchesEveryPanel();
  // Enough scrapes of each target for rate() and increase() over the test's window.
  await waitUntil(async () => {
    const answer = await live.prometheus.query('min(count_over_time(up[1m])) >= 8 and min(up) == 1');
    return (answer.data?.result.length ?? 0) > 0;
  }, 'eight good scrapes of every target', 60_000);
});

afterAll(async () => {
  await live.prometheus?.stop();
  await Promise.all([live.edge?.stop(), live.group?.stop(), live.worker?.stop()]);
  await live.redis?.stop();
});

/** Subscribers on every transport, publishes over HTTP and WebSocket, receipts, a retried ack event, a rejected request. */
async function trafficThatTouchesEveryPanel(): Promise<void> {
  const { edge, group, worker } = live;
  const channel = 'dashboards/traffic';
  const sse = await SseClient.connect(`${group.url}/v1/sse?channel=${encodeURIComponent(channel)}&device=sse-device`);
  const ws = await WsClient.connect(`${edge.url.replace('http', 'ws')}/v1/ws?device=ws-device`);
  ws.send({ type: 'subscribe', channel });
  await ws.next((f) => f.type === 'subscribed');
  const poll = fetch(`${edge.url}/v1/poll?channel=${encodeURIComponent(channel)}&timeout=20`);
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${edge.url}/v1/channels/${encodeURIComponent(channel)}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: { i }, ack: i === 0 }),
    });
    expect(res.status).toBe(201);
  }
  ws.send({ type: 'publish', channel, data: 'over the socket' });
  const first = await ws.next((f) => f.type === 'event');
  ws.send({ type: 'ack', channel, id: first.id, status: 'processed' });
  await ws.next((f) => f.type === 'acked');
  await sse.waitFor(6);
  await poll;
  const rejected = await fetch(`${edge.url}/v1/channels/${encodeURIComponent('bad channel!')}/events`, { method: 'POST', body: 'x' });
  expect(rejected.status).toBe(400);
  // A key of the wrong type where a channel's log belongs: Redis refuses the append script.
  await redisCommand(live.redis.port, 'SET', ['tidings:{c:dashboards/wrong-type}:log', 'not a stream']);
  const refused = await fetch(`${edge.url}/v1/channels/dashboards%2Fwrong-type/events`, { method: 'POST', body: 'x' });
  expect(refused.status).toBeGreaterThanOrEqual(500);
  // The SSE device never answers the ack event: the worker retries it, then declares it dead.
  await waitUntil(async () => {
    const text = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
    return /^tidings_worker_dead_receipts_total\{[^}]*\} [1-9]/m.test(text);
  }, 'the unanswered device to be declared dead', 30_000);
  sse.close();
  ws.close();
}

/** Asks until the answer has series: a panel's first scrape of a new counter can lag the traffic by a scrape. */
async function seriesOf(expr: string): Promise<{ status: string; error?: string; series: number }> {
  let last = { status: 'error', series: 0 } as { status: string; error?: string; series: number };
  await waitUntil(async () => {
    const answer = await live.prometheus.query(expr);
    last = { status: answer.status, ...(answer.error ? { error: answer.error } : {}), series: answer.data?.result.length ?? 0 };
    return answer.status !== 'success' || last.series > 0;
  }, `series for ${expr}`, 15_000).catch(() => undefined);
  return last;
}

describe.each(dashboards)('dashboard $file', ({ dashboard }) => {
  it('is dashboard JSON Grafana provisions: a uid, a title, a schema version, a datasource variable and the node/pod filters', () => {
    expect(dashboard.uid).toMatch(/^tidings-[a-z-]+$/);
    expect(dashboard.title).toMatch(/^Tidings \/ /);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const variables = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    expect(variables.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(variables.get('pod')).toMatchObject({ type: 'query', allValue: '.*' });
    expect(variables.has('node') || variables.has('worker')).toBe(true);
    expect(dashboard.panels.length).toBeGreaterThan(0);
    for (const panel of dashboard.panels) {
      expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const target of panel.targets) expect(target.datasource.uid).toBe('${datasource}');
    }
  });

  it('lays its panels out on the 24-column grid without overlaps', () => {
    const cells = new Set<string>();
    for (const { gridPos, title } of dashboard.panels) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps another panel`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('filters every edge and worker series by the dashboard variables', () => {
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets) {
        if (expr.includes('up{')) continue; // target health, labelled by Prometheus, not by Tidings
        expect(expr, panel.title).toContain('pod=~"$pod"');
      }
    }
  });

  it('has every panel query parse and return series from live edges and a worker under traffic', async () => {
    const failures: string[] = [];
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        const expr = substituteVariables(target.expr, dashboard as Dashboard, RATE_INTERVAL);
        const answer = await seriesOf(expr);
        if (answer.status !== 'success') failures.push(`${panel.title} [${target.refId}]: ${answer.error}`);
        else if (answer.series === 0) failures.push(`${panel.title} [${target.refId}]: no series for ${expr}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('the alert rules against the same live data', () => {
  const rules = (parse(readFileSync(ALERTS_FILE, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap((g) => g.rules);

  it('are loaded by Prometheus and evaluate without error', async () => {
    await waitUntil(async () => {
      const res = (await (await fetch(`${live.prometheus.url}/api/v1/rules`)).json()) as { data: { groups: { rules: { health: string }[] }[] } };
      const loaded = res.data.groups.flatMap((g) => g.rules);
      return loaded.length === rules.length && loaded.every((r) => r.health === 'ok');
    }, 'every rule to be loaded and evaluated healthy');
  });

  it.each(rules.map((rule) => [rule.alert, rule.expr]))('%s parses and evaluates through the HTTP API', async (_alert, expr) => {
    const answer = await live.prometheus.query(expr);
    expect(answer.error).toBeUndefined();
    expect(answer.status).toBe('success');
  });
});
