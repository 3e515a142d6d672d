import { type EdgeProcess, SseClient, startEdge, WsClient } from '@tidings/testing';
import { describe, expect, it } from 'vitest';
import { edgesOnRedis, envelopeIds, publish, publishMany, wsUrl } from './support.js';

const cluster = edgesOnRedis(3, () => ['--retention-max-length', '50']);

describe('resume', () => {
  it('continues an SSE subscription after a dropped connection with Last-Event-ID, missing nothing', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const first = await SseClient.connect(`${b.url}/v1/sse?channel=resume/sse&channel=resume/other`);
    const before = await publishMany(a, 'resume/sse', 5, 'before');
    await first.waitFor(5);
    const lastEventId = first.lastEventId!;
    first.close();
    const during = await publishMany(a, 'resume/sse', 5, 'during');
    const other = await publish(a, 'resume/other', 'other');
    const second = await SseClient.connect(`${b.url}/v1/sse?channel=resume/sse&channel=resume/other`, { headers: { 'last-event-id': lastEventId } });
    const after = await publish(a, 'resume/sse', 'after');
    const ids = envelopeIds(await second.waitFor(7));
    expect([...ids].sort()).toEqual([...during, other, after].sort());
    expect(ids.filter((id) => id !== other)).toEqual([...during, after]); // channel order kept
    expect(ids.some((id) => before.includes(id))).toBe(false);
    second.close();
  });

  it('resumes through the lastEventId query parameter too (for EventSource polyfills)', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const first = await SseClient.connect(`${b.url}/v1/sse?channel=resume/query`);
    await publish(a, 'resume/query', 1);
    await first.waitFor(1);
    first.close();
    const missed = await publish(a, 'resume/query', 2);
    const second = await SseClient.connect(`${b.url}/v1/sse?channel=resume/query&lastEventId=${first.lastEventId}`);
    expect(envelopeIds(await second.waitFor(1))).toEqual([missed]);
    second.close();
  });

  it('moves a client to another node after kill -9 of its edge, without a gap', async () => {
    const victim = await startEdge({ redisUrl: cluster.redis.url });
    const [a, , c] = cluster.edges as [EdgeProcess, EdgeProcess, EdgeProcess];
    const onVictim = await SseClient.connect(`${victim.url}/v1/sse?channel=${encodeURIComponent('crash/#')}`);
    const seen = await publishMany(a, 'crash/x', 3);
    await onVictim.waitFor(3);
    victim.kill9();
    await onVictim.closed;
    const missed = [...(await publishMany(a, 'crash/x', 3, 'm')), ...(await publishMany(a, 'crash/y', 2, 'n'))];
    const onOther = await SseClient.connect(`${c.url}/v1/sse?channel=${encodeURIComponent('crash/#')}`, { headers: { 'last-event-id': onVictim.lastEventId! } });
    const received = envelopeIds(await onOther.waitFor(5));
    expect(received.sort()).toEqual([...missed].sort());
    expect(received.some((id) => seen.includes(id))).toBe(false);
    onOther.close();
  });

  it('resumes a WebSocket subscription from the last event id it saw', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const first = await WsClient.connect(wsUrl(b));
    first.send({ type: 'subscribe', channel: 'resume/ws' });
    await first.next((f) => f.type === 'subscribed');
    await publish(a, 'resume/ws', 1);
    const last = await first.next((f) => f.type === 'event');
    first.close();
    const missed = await publishMany(a, 'resume/ws', 3);
    const second = await WsClient.connect(wsUrl(b));
    second.send({ type: 'subscribe', channel: 'resume/ws', since: last.id, ref: 'r1' });
    expect(await second.next((f) => f.type === 'subscribed')).toMatchObject({ channel: 'resume/ws', ref: 'r1' });
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await second.next((f) => f.type === 'event')).id);
    expect(got).toEqual(missed);
    second.close();
  });

  it('continues long-polling from the returned cursor with no event lost or repeated', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const start = (await (await fetch(`${b.url}/v1/poll?channel=resume/poll&timeout=0`)).json()) as { cursor: string; events: unknown[] };
    expect(start.events).toEqual([]);
    const ids = await publishMany(a, 'resume/poll', 4);
    const first = (await (await fetch(`${b.url}/v1/poll?channel=resume/poll&since=${start.cursor}&timeout=5`)).json()) as { cursor: string; events: { id: string }[] };
    const more = await publish(a, 'resume/poll', 'more');
    const second = (await (await fetch(`${b.url}/v1/poll?channel=resume/poll&since=${first.cursor}&timeout=5`)).json()) as { events: { id: string }[] };
    expect([...first.events, ...second.events].map((e) => e.id)).toEqual([...ids, more]);
  });

  it('reads from the oldest retained event with since=0 on SSE, WebSocket, long-poll and history', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const ids = await publishMany(a, 'resume/zero', 3);
    const sse = await SseClient.connect(`${b.url}/v1/sse?channel=resume/zero&since=0`);
    expect(envelopeIds(await sse.waitFor(3))).toEqual(ids);
    sse.close();
    const header = await SseClient.connect(`${b.url}/v1/sse?channel=resume/zero`, { headers: { 'last-event-id': '0' } });
    expect(envelopeIds(await header.waitFor(3))).toEqual(ids);
    header.close();
    const ws = await WsClient.connect(wsUrl(b));
    ws.send({ type: 'subscribe', channel: 'resume/zero', since: '0' });
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await ws.next((f) => f.type === 'event')).id);
    expect(got).toEqual(ids);
    ws.close();
    const poll = (await (await fetch(`${b.url}/v1/poll?channel=resume/zero&since=0&timeout=0`)).json()) as { events: { id: string }[] };
    expect(poll.events.map((e) => e.id)).toEqual(ids);
    const page = (await (await fetch(`${b.url}/v1/channels/resume%2Fzero/events?since=0`)).json()) as { events: { id: string }[] };
    expect(page.events.map((e) => e.id)).toEqual(ids);
  });

  it('answers a cursor older than retention with a reset naming the lost range, then the rest', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const first = await SseClient.connect(`${b.url}/v1/sse?channel=resume/retention`);
    const [oldest] = await publishMany(a, 'resume/retention', 1);
    await first.waitFor(1);
    first.close();
    const later = await publishMany(a, 'resume/retention', 120);
    const second = await SseClient.connect(`${b.url}/v1/sse?channel=resume/retention`, { headers: { 'last-event-id': first.lastEventId! } });
    const reset = await second.nextEvent((e) => e.event === 'reset');
    const notice = JSON.parse(reset.data) as { channel: string; lostFrom: string; lostTo: string; reason: string };
    expect(notice).toMatchObject({ channel: 'resume/retention', lostFrom: oldest, reason: 'retention' });
    const kept = later.slice(later.indexOf(notice.lostTo) + 1);
    expect(kept.length).toBeGreaterThanOrEqual(50);
    expect(envelopeIds(await second.waitFor(kept.length))).toEqual(kept);
    second.close();
  });
});
