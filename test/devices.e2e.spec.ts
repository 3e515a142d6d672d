// Durable devices: a device that names itself gets every event of its channels and patterns from
// the moment it joined, at least once and in order, over any transport and node, whether or not it
// ever received anything before — within its membership (docs/architecture.md "Durable devices").
import { createRedisClient, RedisKeys } from '@tidings/broker';
import { compareStreamIds } from '@tidings/protocol';
import { type EdgeProcess, SseClient, type SseEvent, startEdge, waitUntil, WsClient } from '@tidings/testing';
import { describe, expect, it } from 'vitest';
import { edgesOnRedis, metric, publish, wsUrl } from './support.js';

/** Three edges; memberships lapse after 3 s here (forgotten after 6 s), so lapses can be shown. */
const IDLE_SECONDS = 3;
const cluster = edgesOnRedis(3, () => ['--membership-idle-seconds', String(IDLE_SECONDS), '--limits-max-durable-patterns', '2']);

const sseUrl = (edge: EdgeProcess, specs: readonly string[], device: string) =>
  `${edge.url}/v1/sse?${specs.map((s) => `channel=${encodeURIComponent(s)}`).join('&')}&device=${device}`;
const pollUrl = (edge: EdgeProcess, specs: readonly string[], device: string, extra = '') =>
  `${edge.url}/v1/poll?${specs.map((s) => `channel=${encodeURIComponent(s)}`).join('&')}&device=${device}&timeout=0${extra}`;
const dataOf = (events: readonly SseEvent[]) => events.filter((e) => e.event !== 'reset').map((e) => (JSON.parse(e.data) as { data: unknown }).data);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The edge has let go of every connection of the transport: nothing more is written to them. */
async function closedOn(edge: EdgeProcess, transport: 'sse' | 'ws'): Promise<void> {
  await waitUntil(async () => (await metric(edge, `tidings_edge_connections{transport="${transport}"`)) === 0, `${transport} connections on ${edge.url} to close`);
}

/** A durable pattern's record names the channel: the connection that saw it has saved its positions. */
async function patternSaved(device: string, pattern: string, channel: string): Promise<void> {
  const redis = createRedisClient({ kind: 'standalone', url: cluster.redis.url }, 'test-devices');
  try {
    await waitUntil(async () => (await redis.hget(new RedisKeys().devicePattern(device, pattern), channel)) !== null, `${device}'s ${pattern} to record ${channel}`);
  } finally {
    await redis.quit();
  }
}

interface PollAnswer {
  events: { channel: string; id: string; data: unknown }[];
  resets: { channel: string; lostFrom: string; lostTo: string; reason: string }[];
  cursor: string;
}

async function poll(url: string): Promise<PollAnswer> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as PollAnswer;
}

/** The data of events as they come, until each of `wanted` has come. */
async function dataUntil(client: SseClient, wanted: readonly unknown[]): Promise<unknown[]> {
  const got: unknown[] = [];
  while (!wanted.every((w) => got.includes(w))) got.push(...dataOf([await client.nextEvent()]));
  return got;
}

/** Its presence gone from every node: the connection's release, which saves positions first, has run. */
async function leftEverywhere(edge: EdgeProcess, channel: string): Promise<void> {
  await waitUntil(async () => {
    const res = await fetch(`${edge.url}/v1/channels/${encodeURIComponent(channel)}/presence`);
    return ((await res.json()) as { online: number }).online === 0;
  }, `every device to leave ${channel}`);
}

describe('durable devices, exact channels', () => {
  it('give a device that left before anything reached it every event published after it joined (SSE, another node)', async () => {
    const [a, b, c] = cluster.edges as [EdgeProcess, EdgeProcess, EdgeProcess];
    await publish(a, 'dd/sse', 'before it joined');
    const first = await SseClient.connect(sseUrl(a, ['dd/sse'], 'd-sse'));
    first.close();
    await leftEverywhere(a, 'dd/sse');
    for (const n of [1, 2, 3]) await publish(b, 'dd/sse', n);
    const back = await SseClient.connect(sseUrl(c, ['dd/sse'], 'd-sse')); // a page reload: no Last-Event-ID
    expect(dataOf(await back.waitFor(3))).toEqual([1, 2, 3]);
    await publish(a, 'dd/sse', 4);
    expect(dataOf([await back.nextEvent()])).toEqual([4]);
    back.close();
  });

  it('do the same over WebSocket, with the device on the URL or on the subscribe frame', async () => {
    const [a, b, c] = cluster.edges as [EdgeProcess, EdgeProcess, EdgeProcess];
    for (const [device, url, frame] of [
      ['d-ws-url', (e: EdgeProcess) => `${wsUrl(e)}?device=d-ws-url`, {}],
      ['d-ws-frame', (e: EdgeProcess) => wsUrl(e), { device: 'd-ws-frame' }],
    ] as const) {
      const channel = `dd/${device}`;
      const first = await WsClient.connect(url(a));
      first.send({ type: 'subscribe', channel, ...frame });
      await first.next((f) => f.type === 'subscribed');
      first.close();
      await leftEverywhere(a, channel);
      await publish(b, channel, 'missed 1');
      await publish(b, channel, 'missed 2');
      const back = await WsClient.connect(url(c));
      back.send({ type: 'subscribe', channel, ...frame });
      const events = [await back.next((f) => f.type === 'event'), await back.next((f) => f.type === 'event')];
      expect(events.map((f) => f.data), device).toEqual(['missed 1', 'missed 2']);
      back.close();
    }
  });

  it('do the same over long-poll, then carry on from the answer', async () => {
    const [a, b, c] = cluster.edges as [EdgeProcess, EdgeProcess, EdgeProcess];
    expect((await poll(pollUrl(a, ['dd/poll'], 'd-poll'))).events).toEqual([]); // it joins, and nothing is there yet
    await publish(b, 'dd/poll', 'missed');
    const answer = await poll(pollUrl(c, ['dd/poll'], 'd-poll')); // no since
    expect(answer.events.map((e) => e.data)).toEqual(['missed']);
    await publish(b, 'dd/poll', 'next');
    expect((await poll(pollUrl(a, ['dd/poll'], 'd-poll'))).events.map((e) => e.data)).toEqual(['next']);
  });

  it('survive kill -9 of the edge the device was on: it resumes on another node with what it missed, in order', async () => {
    const victim = await startEdge({ redisUrl: cluster.redis.url, args: ['--membership-idle-seconds', String(IDLE_SECONDS)] });
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const doomed = await SseClient.connect(sseUrl(victim, ['dd/crash'], 'd-crash'));
    await publish(a, 'dd/crash', 1);
    await doomed.waitFor(1);
    victim.kill9();
    await doomed.closed;
    await publish(a, 'dd/crash', 2);
    await publish(a, 'dd/crash', 3);
    const back = await SseClient.connect(sseUrl(b, ['dd/crash'], 'd-crash'));
    // Its position may not have been saved before the crash: 1 may come again (at least once), never out of order.
    const received = dataOf(await back.waitFor(2));
    const rest = received[0] === 1 ? [...received.slice(1), ...dataOf([await back.nextEvent()])] : received;
    expect(rest).toEqual([2, 3]);
    back.close();
  });

  it('let the client\'s own cursor win over the stored position', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const first = await SseClient.connect(sseUrl(a, ['dd/cursor'], 'd-cursor'));
    for (const n of [1, 2, 3]) await publish(b, 'dd/cursor', n);
    const events = await first.waitFor(3);
    first.close();
    await leftEverywhere(a, 'dd/cursor');
    // Stored: after 3. The page kept the cursor after 1: it gets 2 and 3 again, by its own choice.
    const again = await SseClient.connect(sseUrl(b, ['dd/cursor'], 'd-cursor'), { headers: { 'last-event-id': events[0]!.id! } });
    expect(dataOf(await again.waitFor(2))).toEqual([2, 3]);
    again.close();
  });

  it('give both connections of a device (two tabs, two nodes) every live event, never move its position back, and record its receipt once', async () => {
    const [a, b, c] = cluster.edges as [EdgeProcess, EdgeProcess, EdgeProcess];
    const tab1 = await SseClient.connect(sseUrl(a, ['dd/tabs'], 'd-tabs'));
    for (const n of [1, 2, 3]) await publish(c, 'dd/tabs', n);
    const seen = await tab1.waitFor(3);
    // The second tab replays from an old cursor while the first has already seen everything.
    const tab2 = await SseClient.connect(sseUrl(b, ['dd/tabs'], 'd-tabs'), { headers: { 'last-event-id': seen[0]!.id! } });
    expect(dataOf(await tab2.waitFor(2))).toEqual([2, 3]);

    const res = await fetch(`${c.url}/v1/channels/dd%2Ftabs/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: 'ack me', ack: true }) });
    const { id: ackId, expected } = (await res.json()) as { id: string; expected: number };
    expect(expected).toBe(1); // one device, however many connections
    expect(dataOf([await tab1.nextEvent()])).toEqual(['ack me']);
    expect(dataOf([await tab2.nextEvent()])).toEqual(['ack me']);
    const receipt = async (status: string) =>
      (
        (await (
          await fetch(`${c.url}/v1/channels/dd%2Ftabs/events/${ackId}/receipts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ device: 'd-tabs', status }) })
        ).json()) as { result: string }
      ).result;
    expect(await receipt('received')).toBe('recorded');
    expect(await receipt('received')).toBe('unchanged'); // the other tab's
    const attempts = async () =>
      ((await (await fetch(`${c.url}/v1/channels/dd%2Ftabs/events/${ackId}/receipts`)).json()) as { devices: { state: string; attempts: number }[] }).devices[0]!;
    await waitUntil(async () => (await attempts()).attempts === 2, 'a delivery attempt counted per node');
    expect((await attempts()).state).toBe('received');

    tab1.close();
    tab2.close();
    await leftEverywhere(a, 'dd/tabs');
    await publish(c, 'dd/tabs', 4);
    const back = await SseClient.connect(sseUrl(c, ['dd/tabs'], 'd-tabs'));
    expect(dataOf(await back.waitFor(1))).toEqual([4]); // after the newest written, not after tab2's replay
    back.close();
  });

  it('tell a device back after its membership lapsed what it may have missed, then start it from now', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const first = await SseClient.connect(sseUrl(a, ['dd/lapse'], 'd-lapse'));
    const seen = await publish(b, 'dd/lapse', 'seen');
    await first.waitFor(1);
    first.close();
    await leftEverywhere(a, 'dd/lapse');
    const missed = await publish(b, 'dd/lapse', 'missed');
    await sleep((IDLE_SECONDS + 1) * 1000); // lapsed (more than the idle limit), not yet forgotten (twice it)
    const back = await SseClient.connect(sseUrl(b, ['dd/lapse'], 'd-lapse'));
    const reset = await back.nextEvent();
    expect(reset.event).toBe('reset');
    expect(JSON.parse(reset.data)).toEqual({ channel: 'dd/lapse', lostFrom: seen, lostTo: missed, reason: 'membership-expired' });
    await publish(b, 'dd/lapse', 'live');
    expect(dataOf([await back.nextEvent()])).toEqual(['live']);
    back.close();
  });

  it('answer a lapsed long-poll device with its reset and a cursor that misses nothing after it', async () => {
    const [a, b, c] = cluster.edges as [EdgeProcess, EdgeProcess, EdgeProcess];
    const joined = await poll(pollUrl(a, ['dd/poll-lapse'], 'd-poll-lapse'));
    const seen = await publish(b, 'dd/poll-lapse', 'seen');
    expect((await poll(pollUrl(a, ['dd/poll-lapse'], 'd-poll-lapse', `&since=${joined.cursor}`))).events.map((e) => e.data)).toEqual(['seen']);
    const missed = await publish(b, 'dd/poll-lapse', 'missed');
    await sleep((IDLE_SECONDS + 1) * 1000);
    // The reset is known before the subscription has read where its channels stand: the answer
    // must still wait for that, or its cursor names no channel and the next poll starts from then.
    const back = await poll(pollUrl(c, ['dd/poll-lapse'], 'd-poll-lapse'));
    expect(back.resets).toEqual([{ channel: 'dd/poll-lapse', lostFrom: seen, lostTo: missed, reason: 'membership-expired' }]);
    await publish(b, 'dd/poll-lapse', 'after');
    expect((await poll(pollUrl(a, ['dd/poll-lapse'], 'd-poll-lapse', `&since=${back.cursor}`))).events.map((e) => e.data)).toEqual(['after']);
  });

  it('keep renewing the membership of a connected device, so it does not lapse', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const held = await SseClient.connect(sseUrl(a, ['dd/held'], 'd-held'));
    await sleep((IDLE_SECONDS + 1) * 1000);
    await publish(b, 'dd/held', 'expected');
    const res = await fetch(`${b.url}/v1/channels/dd%2Fheld/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: 'ack', ack: true }) });
    expect(((await res.json()) as { expected: number }).expected).toBe(1); // still a member
    expect(dataOf(await held.waitFor(2))).toEqual(['expected', 'ack']);
    held.close();
    await leftEverywhere(a, 'dd/held');
    const back = await SseClient.connect(sseUrl(b, ['dd/held'], 'd-held'));
    await publish(b, 'dd/held', 'after');
    const next = await back.nextEvent();
    expect(next.event).not.toBe('reset');
    expect(dataOf([next])).toEqual(['after']);
    back.close();
  });
});

describe('durable devices, patterns', () => {
  it('give a device every event of its pattern since it joined, including channels first published to while it was away', async () => {
    const [a, b, c] = cluster.edges as [EdgeProcess, EdgeProcess, EdgeProcess];
    await publish(b, 'dp/old', 'before it joined');
    const first = await SseClient.connect(sseUrl(a, ['dp/#'], 'd-pattern'));
    first.close();
    await closedOn(a, 'sse');
    await publish(b, 'dp/old', 'old channel');
    await publish(b, 'dp/brand/new', 'new channel');
    const back = await SseClient.connect(sseUrl(c, ['dp/#'], 'd-pattern'));
    // A durable pattern starts a second before its join (PATTERN_FLOOR_SLACK_MS), so the event
    // published just before it may come too: more, never less.
    const got = await dataUntil(back, ['new channel', 'old channel']);
    expect(got.filter((d) => d !== 'before it joined').sort()).toEqual(['new channel', 'old channel']);
    back.close();
    await patternSaved('d-pattern', 'dp/#', 'dp/brand/new'); // as it leaves
    await publish(b, 'dp/old', 'after');
    const third = await SseClient.connect(sseUrl(a, ['dp/#'], 'd-pattern'));
    expect(dataOf(await third.waitFor(1))).toEqual(['after']);
    third.close();
  });

  it('work the same over WebSocket and long-poll', async () => {
    const [a, b, c] = cluster.edges as [EdgeProcess, EdgeProcess, EdgeProcess];
    const ws = await WsClient.connect(`${wsUrl(a)}?device=d-wsp`);
    ws.send({ type: 'subscribe', channel: 'dpw/+' });
    await ws.next((f) => f.type === 'subscribed');
    ws.close();
    await closedOn(a, 'ws');
    await publish(b, 'dpw/x', 'ws missed');
    const back = await WsClient.connect(`${wsUrl(c)}?device=d-wsp`);
    back.send({ type: 'subscribe', channel: 'dpw/+' });
    expect((await back.next((f) => f.type === 'event')).data).toBe('ws missed');
    back.close();

    expect((await poll(pollUrl(a, ['dpp/#'], 'd-pollp'))).events).toEqual([]);
    await publish(b, 'dpp/y/z', 'poll missed');
    expect((await poll(pollUrl(c, ['dpp/#'], 'd-pollp'))).events.map((e) => e.data)).toEqual(['poll missed']);
  });

  it('refuse one durable pattern more than a device may follow, changing nothing, until it leaves one', async () => {
    const [a] = cluster.edges as [EdgeProcess];
    const res = await fetch(`${a.url}/v1/sse?channel=m1/%23&channel=m2/%23&channel=m3/%23&device=d-many`);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('TIDINGS_TOO_MANY_PATTERNS');
    const two = await SseClient.connect(sseUrl(a, ['m1/#', 'm2/#'], 'd-many')); // the refusal took no place
    const ws = await WsClient.connect(`${wsUrl(a)}?device=d-many`);
    ws.send({ type: 'subscribe', channel: 'm3/#', ref: 'third' });
    expect(await ws.next((f) => f.type === 'error')).toMatchObject({ code: 'TIDINGS_TOO_MANY_PATTERNS', ref: 'third' });
    ws.send({ type: 'subscribe', channel: 'm1/#', ref: 'known' }); // one it follows already is fine
    expect(await ws.next((f) => f.type === 'subscribed')).toMatchObject({ ref: 'known' });
    ws.send({ type: 'unsubscribe', channel: 'm1/#' }); // the device leaves it: its place is free
    await ws.next((f) => f.type === 'unsubscribed');
    ws.send({ type: 'subscribe', channel: 'm3/#', ref: 'now' });
    expect(await ws.next((f) => f.type === 'subscribed' || f.type === 'error')).toMatchObject({ type: 'subscribed', ref: 'now' });
    ws.close();
    two.close();
  });

  it('tell a device whose pattern lapsed what it may have missed', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const first = await SseClient.connect(sseUrl(a, ['dl/#'], 'd-plapse'));
    await publish(b, 'dl/x', 'seen');
    await first.waitFor(1);
    first.close();
    await closedOn(a, 'sse');
    const missed = await publish(b, 'dl/x', 'missed');
    await sleep((IDLE_SECONDS + 1) * 1000);
    const back = await SseClient.connect(sseUrl(b, ['dl/#'], 'd-plapse'));
    const reset = await back.nextEvent();
    expect(reset.event).toBe('reset');
    const { lostFrom, lostTo, ...rest } = JSON.parse(reset.data) as { lostFrom: string; lostTo: string };
    expect(rest).toEqual({ channel: 'dl/#', reason: 'membership-expired' });
    // The range covers what it missed (the new record starts a second before the join, after it).
    expect(compareStreamIds(lostFrom, missed)).toBeLessThan(0);
    expect(compareStreamIds(lostTo, missed)).toBeGreaterThanOrEqual(0);
    await publish(b, 'dl/x', 'live');
    expect(dataOf([await back.nextEvent()])).toEqual(['live']);
    back.close();
  });
});
