// Consumer groups: backend services share a channel's events through a group on any edge — each
// event processed at least once and acknowledged once, repeats only for events whose consumer
// died or let the visibility timeout pass (docs/architecture.md "Consumer groups").
import { createClient, type ClaimedEvent, type TidingsClient } from '@tidings/client';
import { type EdgeProcess, spawnTracked, startEdge, stopProcess, waitUntil, WsClient } from '@tidings/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { edgesOnRedis, wsUrl } from './support.js';

const cluster = edgesOnRedis(2);
const CLI = new URL('../services/cli/bin/tidings.js', import.meta.url).pathname;
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

/** Publishes `count` events in batches of 100; their ids in order. */
async function publishMany(edge: EdgeProcess, channel: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 100) {
    const events = Array.from({ length: Math.min(100, count - i) }, (_, j) => ({ channel, data: { n: i + j } }));
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
    // One batch of 1,000 lines (~100 KB) does not fit a pipe's buffer: the consumer is still printing,
    // and has acknowledged nothing, when the first lines reach us.
    const ids = await publishMany(a, 'cg/crash', 1000);
    const printed: string[] = [];
    const doomed = spawnTracked(process.execPath, [CLI, 'consume', 'cg/crash', '--group', 'workers', '--consumer', 'doomed', '--count', '1000', '--url', a.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    doomed.stdout!.setEncoding('utf8').on('data', (chunk: string) => printed.push(...chunk.split('\n').filter(Boolean)));
    await waitUntil(() => printed.length >= 1, 'the doomed consumer to print an event');
    doomed.kill('SIGKILL'); // mid-batch: what it claimed and did not acknowledge stays pending for it
    await stopProcess(doomed);
    const got = new Map<string, ClaimedEvent>();
    const survivor = client(b)
      .group('cg/crash', 'workers')
      .consume((event) => void got.set(event.id, event), { consumer: 'survivor', count: 500, wait: 1 });
    const info = () => client(b).group('cg/crash', 'workers').info();
    await waitUntil(async () => (await info()).pending === 0 && (await info()).lag === 0, 'every event acknowledged', 60_000);
    await survivor.stop();
    const byDoomed = new Set(printed.map((line) => (JSON.parse(line) as { id: string }).id));
    // Everything processed at least once; the survivor repeats only what the doomed one held.
    expect(ids.every((id) => byDoomed.has(id) || got.has(id))).toBe(true);
    const repeated = [...got.values()].filter((e) => e.deliveries > 1).map((e) => e.id);
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

  it('are listed by the admin API', async () => {
    const [a] = cluster.edges as [EdgeProcess];
    await client(a).group('cg/admin', 'listed').put();
    const { json } = await call(a, 'GET', '/v1/admin/groups');
    expect(json['groups']).toContainEqual(expect.objectContaining({ channel: 'cg/admin', group: 'listed', pending: 0 }));
  });
});
