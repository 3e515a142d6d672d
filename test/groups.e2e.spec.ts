// Consumer groups: backend services share a channel's events through a group on any edge — each
// event processed at least once and acknowledged once, repeats only for events whose consumer
// died or let the visibility timeout pass (docs/architecture.md "Consumer groups").
import { createServer } from 'node:http';
import { createClient, type ClaimedEvent, type TidingsClient } from '@tidings/client';
import { type EdgeProcess, spawnTracked, startEdge, startWorker, stopProcess, waitUntil, WsClient } from '@tidings/testing';
import { SIGNATURE_HEADER, verifyWebhook } from '@tidings/worker';
import { afterAll, describe, expect, it } from 'vitest';
import { edgesOnRedis, wsUrl } from './support.js';

const cluster = edgesOnRedis(2);
const CLI = new URL('../services/cli/bin/tidings.js', import.meta.url).pathname;
const EXAMPLE = (file: string) => new URL(`../examples/fleet-feedback/${file}`, import.meta.url).pathname;
const clients: TidingsClient[] = [];
afterAll(() => clients.forEach((c) => c.close()));

function client(edge: EdgeProcess): TidingsClient {
  const made = createClient({ url: edge.url, transport: 'poll' });
  clients.push(made);
  return made;
}

async function call(edge: EdgeProcess, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${edge.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Publishes `count` events in batches of 100, each `pad` characters longer; their ids in order. */
async function publishMany(edge: EdgeProcess, channel: string, count: number, pad = 0): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 100) {
    const events = Array.from({ length: Math.min(100, count - i) }, (_, j) => ({ channel, data: { n: i + j, pad: ' '.repeat(pad) } }));
    const { status, json } = await call(edge, 'POST', '/v1/publish', { events });
    expect(status).toBe(201);
    ids.push(...(json['events'] as { id: string }[]).map((r) => r.id));
  }
  return ids;
}

const path = (channel: string, group: string, action = '') => `/v1/channels/${encodeURIComponent(channel)}/groups/${group}${action ? `/${action}` : ''}`;

describe('consumer groups', () => {
  it('let three consumers on two edges share 10,000 events: every one acknowledged once, none lost, none repeated', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    await client(a).group('cg/orders', 'billing').put({ start: 'all', visibilitySeconds: 60 });
    const ids = await publishMany(b, 'cg/orders', 10_000);
    const seen = new Map<string, number>();
    const consumers = ['one', 'two', 'three'].map((name, i) =>
      client(i === 1 ? b : a)
        .group('cg/orders', 'billing')
        .consume((event: ClaimedEvent) => void seen.set(event.id, (seen.get(event.id) ?? 0) + 1), { consumer: name, count: 250, wait: 1 }),
    );
    await waitUntil(() => seen.size === ids.length, 'every event to be consumed', 120_000);
    await Promise.all(consumers.map((c) => c.stop()));
    expect([...seen.values()].every((times) => times === 1)).toBe(true);
    expect([...seen.keys()].sort()).toEqual([...ids].sort());
    expect(await client(b).group('cg/orders', 'billing').info()).toMatchObject({ pending: 0, lag: 0, consumers: 3 });
  }, 180_000);

  it('hand the events of a consumer killed mid-batch (kill -9) to another after the visibility timeout', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    await client(a).group('cg/crash', 'workers').put({ start: 'all', visibilitySeconds: 2 });
    // Two `tidings consume` processes, as on two machines. A consumer acknowledges a batch once it
    // has printed all of it; we stop reading the doomed one's output after its first lines, so
    // its batch of 1,000 (~0.5 MB, far more than a pipe and a stream buffer hold) can never be
    // printed whole: when it is killed it has acknowledged nothing, whatever the machine's pace.
    const ids = await publishMany(a, 'cg/crash', 1000, 400);
    const consume = (name: string, edge: EdgeProcess, count: number, options = { stalled: false }) => {
      let stalled = options.stalled;
      const printed: ClaimedEvent[] = [];
      const child = spawnTracked(process.execPath, [CLI, 'consume', 'cg/crash', '--group', 'workers', '--consumer', name, '--count', String(count), '--url', edge.url], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let partial = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop()!;
        printed.push(...lines.map((line) => JSON.parse(line) as ClaimedEvent));
        if (stalled) child.stdout!.pause(); // its writes block once the pipe is full
      });
      const drained = new Promise((resolve) => child.stdout!.once('close', resolve));
      const release = () => {
        stalled = false;
        child.stdout!.resume();
      };
      return { child, printed, drained, release };
    };
    const doomed = consume('doomed', a, 1000, { stalled: true });
    await waitUntil(() => doomed.printed.length >= 1, 'the doomed consumer to print an event');
    doomed.child.kill('SIGKILL'); // mid-batch: what it claimed and did not acknowledge stays pending for it
    await stopProcess(doomed.child);
    doomed.release(); // read what it printed before it died
    const survivor = consume('survivor', b, 500);
    const info = () => client(b).group('cg/crash', 'workers').info();
    await waitUntil(async () => (await info()).pending === 0 && (await info()).lag === 0, 'every event acknowledged', 60_000);
    await stopProcess(survivor.child); // SIGTERM: it stops after acknowledging what it printed
    await Promise.all([doomed.drained, survivor.drained]);
    expect(doomed.printed.length).toBeLessThan(ids.length); // it died mid-batch, as staged
    const byDoomed = new Set(doomed.printed.map((e) => e.id));
    const bySurvivor = new Map(survivor.printed.map((e) => [e.id, e]));
    // Everything processed at least once; the survivor repeats only what the doomed one held.
    expect(ids.every((id) => byDoomed.has(id) || bySurvivor.has(id))).toBe(true);
    expect(bySurvivor.size).toBe(survivor.printed.length);
    const repeated = survivor.printed.filter((e) => e.deliveries > 1).map((e) => e.id);
    expect(repeated.sort()).toEqual([...ids].sort()); // the whole batch it held, none of it acknowledged
  }, 120_000);

  it('move an event handed out the maximum number of times to the dead letters, and say so', async () => {
    const [a] = cluster.edges as [EdgeProcess];
    const group = client(a).group('cg/poison', 'strict');
    await group.put({ start: 'all', visibilitySeconds: 1, maxDeliveries: 2 });
    const [poison] = await publishMany(a, 'cg/poison', 1);
    expect((await group.claim({ consumer: 'a' })).events.map((e) => e.deliveries)).toEqual([1]);
    expect((await group.claim({ consumer: 'a', wait: 3 })).events.map((e) => e.deliveries)).toEqual([2]);
    const last = await group.claim({ consumer: 'a', wait: 3 });
    expect(last.events).toEqual([]);
    expect(last.dead).toMatchObject([{ id: poison, deliveries: 2, data: { n: 0 } }]);
    expect(await group.info()).toMatchObject({ dead: 1, pending: 0 });
  }, 30_000);

  it('answer a waiting claim as soon as an event is published on another edge', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const group = client(a).group('cg/wait', 'g');
    await group.put({ start: 'new' });
    const waiting = group.claim({ consumer: 'a', wait: 30 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [id] = await publishMany(b, 'cg/wait', 1);
    expect((await waiting).events.map((e) => e.id)).toEqual([id]);
  }, 30_000);

  it('tell a lagging group what retention trimmed before it read it', async () => {
    const short = await startEdge({ redisUrl: cluster.redis.url, args: ['--retention-max-length', '20'] });
    try {
      const group = client(short).group('cg/short', 'slow');
      await group.put({ start: 'all' });
      const ids = await publishMany(short, 'cg/short', 60);
      const claim = await group.claim({ consumer: 'a', count: 100 });
      expect(claim.resets).toEqual([{ channel: 'cg/short', lostFrom: '0-0', lostTo: ids[ids.length - claim.events.length - 1], reason: 'retention' }]);
      expect(claim.events.map((e) => e.id)).toEqual(ids.slice(ids.length - claim.events.length));
    } finally {
      await short.stop();
    }
  });

  it('work over the WebSocket too: claim, and acknowledge while another claim waits', async () => {
    const [a] = cluster.edges as [EdgeProcess];
    await client(a).group('cg/ws', 'g').put({ start: 'all' });
    const ids = await publishMany(a, 'cg/ws', 3);
    const ws = await WsClient.connect(wsUrl(a));
    ws.send({ type: 'claim', channel: 'cg/ws', group: 'g', consumer: 'w', count: 2, ref: 'c1' });
    const claimed = await ws.next((f) => f.type === 'claimed');
    expect(claimed).toMatchObject({ channel: 'cg/ws', group: 'g', ref: 'c1', resets: [], dead: [] });
    expect((claimed['events'] as { id: string; deliveries: number }[]).map((e) => [e.id, e.deliveries])).toEqual([
      [ids[0], 1],
      [ids[1], 1],
    ]);
    ws.send({ type: 'claim', channel: 'cg/ws', group: 'g', consumer: 'w', count: 5, wait: 30, ref: 'c2' }); // takes the third, then nothing
    await ws.next((f) => f.type === 'claimed' && f['ref'] === 'c2');
    ws.send({ type: 'claim', channel: 'cg/ws', group: 'g', consumer: 'w', count: 5, wait: 30, ref: 'c3' }); // waits
    ws.send({ type: 'groupAck', channel: 'cg/ws', group: 'g', ids: [ids[0], '1-1'], ref: 'k' });
    expect(await ws.next((f) => f.type === 'groupAcked')).toMatchObject({ ref: 'k', results: { [ids[0]!]: 'acked', '1-1': 'unknown' } });
    ws.close();
  }, 60_000);

  it('refuse bad input with clear errors, changing nothing', async () => {
    const [a] = cluster.edges as [EdgeProcess];
    await client(a).group('cg/bad', 'g').put();
    const cases: [string, string, unknown, number, string][] = [
      ['POST', path('cg/bad', 'missing', 'claim'), { consumer: 'a' }, 404, 'TIDINGS_GROUP_NOT_FOUND'],
      ['PUT', path('cg/bad', 'bad%20name'), {}, 400, 'TIDINGS_GROUP_INVALID'],
      ['PUT', `/v1/channels/${encodeURIComponent('cg/+')}/groups/g`, {}, 400, 'TIDINGS_CHANNEL_INVALID'],
      ['PUT', path('cg/bad', 'g'), { start: 'yesterday' }, 400, 'TIDINGS_BODY_INVALID'],
      ['PUT', path('cg/bad', 'g'), { visibilitySeconds: 0 }, 400, 'TIDINGS_BODY_INVALID'],
      ['PUT', path('cg/bad', 'g'), { maxDeliveries: 1001 }, 400, 'TIDINGS_BODY_INVALID'],
      ['POST', path('cg/bad', 'g', 'claim'), { consumer: 'has space' }, 400, 'TIDINGS_CONSUMER_INVALID'],
      ['POST', path('cg/bad', 'g', 'claim'), {}, 400, 'TIDINGS_BODY_INVALID'],
      ['POST', path('cg/bad', 'g', 'claim'), { consumer: 'a', count: 100_000 }, 400, 'TIDINGS_BODY_INVALID'],
      ['POST', path('cg/bad', 'g', 'claim'), { consumer: 'a', wait: 61 }, 400, 'TIDINGS_BODY_INVALID'],
      ['POST', path('cg/bad', 'g', 'acks'), { ids: [] }, 400, 'TIDINGS_BODY_INVALID'],
      ['POST', path('cg/bad', 'g', 'acks'), { ids: ['1-0', '1-0'] }, 400, 'TIDINGS_BODY_INVALID'],
      ['POST', path('cg/bad', 'g', 'acks'), { ids: ['not-an-id'] }, 400, 'TIDINGS_EVENT_ID_INVALID'],
      ['GET', path('cg/bad', 'g', 'claim'), undefined, 405, 'TIDINGS_METHOD_NOT_ALLOWED'],
    ];
    for (const [method, url, body, status, code] of cases) {
      const answer = await call(a, method, url, body);
      expect([answer.status, (answer.json['error'] as { code: string }).code], `${method} ${url} ${JSON.stringify(body)}`).toEqual([status, code]);
    }
    expect(await client(a).group('cg/bad', 'g').info()).toMatchObject({ visibilitySeconds: 30, maxDeliveries: 5, consumers: 0 });
  });

  it("send their dead letters to the worker's signed webhook, again until the receiver takes them", async () => {
    const [a] = cluster.edges as [EdgeProcess];
    const secret = 'a-webhook-secret-for-groups';
    const posts: { body: { channel: string; group: string; events: { id: string; data: unknown; deliveries: number }[] }; signed: boolean; delivery: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const letter = JSON.parse(body) as (typeof posts)[number]['body'];
        if (letter.channel !== 'cg/letters') return void res.writeHead(204).end(); // other tests' dead letters
        posts.push({ body: letter, signed: verifyWebhook(secret, req.headers[SIGNATURE_HEADER] as string, body), delivery: String(req.headers['tidings-delivery']) });
        res.writeHead(posts.length === 1 ? 503 : 204).end(); // the first try fails
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/`;
    const worker = await startWorker({
      redisUrl: cluster.redis.url,
      args: ['--webhook-url', url, '--webhook-secret', secret, '--groups-dead-letter-scan-seconds', '1', '--jobs-lock-seconds', '2'],
    });
    try {
      const group = client(a).group('cg/letters', 'hooked');
      await group.put({ start: 'all', visibilitySeconds: 1, maxDeliveries: 1 });
      const ids = await publishMany(a, 'cg/letters', 3);
      expect((await group.claim({ consumer: 'a', count: 10 })).events).toHaveLength(3);
      expect((await group.claim({ consumer: 'a', count: 10, wait: 3 })).dead.map((e) => e.id)).toEqual(ids);
      await waitUntil(() => posts.length >= 2, 'the webhook to be tried twice', 30_000);
      const [failed, taken] = posts as [(typeof posts)[number], (typeof posts)[number]];
      expect(taken.body).toEqual(failed.body);
      expect(taken.delivery).toBe(failed.delivery);
      expect(taken.signed).toBe(true);
      expect(taken.body).toMatchObject({ channel: 'cg/letters', group: 'hooked', events: ids.map((id, n) => ({ id, data: { n }, deliveries: 1 })) });
      await new Promise((resolve) => setTimeout(resolve, 2500)); // two more passes: nothing more to send
      expect(posts).toHaveLength(2);
      const metrics = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
      const sent = /tidings_worker_consumer_group_dead_letters_total\{outcome="sent"[^}]*\} (\d+)/.exec(metrics)?.[1];
      expect(Number(sent)).toBeGreaterThanOrEqual(3); // and other tests' letters
    } finally {
      await worker.stop();
      await new Promise((resolve) => receiver.close(resolve));
    }
  }, 60_000);

  it("report the lag and pending events of the groups an operator lists on the worker's /metrics", async () => {
    const [a] = cluster.edges as [EdgeProcess];
    const group = client(a).group('cg/watched', 'ops');
    await group.put({ start: 'all', visibilitySeconds: 60 });
    await client(a).group('cg/watched', 'unlisted').put({ start: 'all' });
    await publishMany(a, 'cg/watched', 5);
    await group.claim({ consumer: 'a', count: 2 });
    const worker = await startWorker({ redisUrl: cluster.redis.url, args: ['--groups-lag-metrics', 'cg/watched#ops,cg/watched#missing'] });
    try {
      const metrics = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
      expect(metrics).toMatch(/tidings_consumer_group_lag_events\{channel="cg\/watched",group="ops"[^}]*\} 3/);
      expect(metrics).toMatch(/tidings_consumer_group_pending_events\{channel="cg\/watched",group="ops"[^}]*\} 2/);
      expect(metrics).not.toContain('group="unlisted"');
      expect(metrics).not.toContain('group="missing"');
    } finally {
      await worker.stop();
    }
  }, 30_000);

  it('run the fleet example: two backend replicas on two edges process each report of the devices once', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const lines = (child: ReturnType<typeof spawnTracked>) => {
      const out: string[] = [];
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => out.push(...chunk.split('\n').filter(Boolean)));
      return { out, closed: new Promise((resolve) => child.stdout!.once('close', resolve)) };
    };
    const replicas = [
      spawnTracked(process.execPath, [EXAMPLE('backend.mjs'), 'replica-a', '--url', a.url], { stdio: ['ignore', 'pipe', 'pipe'] }),
      spawnTracked(process.execPath, [EXAMPLE('backend.mjs'), 'replica-b', '--url', b.url], { stdio: ['ignore', 'pipe', 'pipe'] }),
    ];
    const processed = replicas.map(lines);
    const devices = spawnTracked(process.execPath, [EXAMPLE('devices.mjs'), '--devices', '10', '--reports', '5', '--url', b.url], { stdio: ['ignore', 'pipe', 'inherit'] });
    const published = lines(devices);
    await published.closed;
    expect(published.out).toHaveLength(50);
    const ids = () => processed.flatMap((p) => p.out.map((line) => line.split(' ')[1]));
    await waitUntil(() => ids().length >= 50, 'every report to be processed', 60_000);
    await Promise.all(replicas.map((r) => stopProcess(r)));
    await Promise.all(processed.map((p) => p.closed));
    expect(ids().sort()).toEqual([...published.out].sort());
  }, 90_000);

  it('are listed by the admin API', async () => {
    const [a] = cluster.edges as [EdgeProcess];
    await client(a).group('cg/admin', 'listed').put();
    const { json } = await call(a, 'GET', '/v1/admin/groups');
    expect(json['groups']).toContainEqual(expect.objectContaining({ channel: 'cg/admin', group: 'listed', pending: 0 }));
  });
});
