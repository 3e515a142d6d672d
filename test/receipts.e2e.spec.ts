import { type EdgeProcess, SseClient, waitUntil, WsClient } from '@tidings/testing';
import { describe, expect, it } from 'vitest';
import { edgesOnRedis, publish, wsUrl } from './support.js';

const cluster = edgesOnRedis(3);

interface Receipts {
  expected: number;
  devices: { device: string; state: string; attempts: number; deliveredAt?: number; receiptAt?: number; detail?: string }[];
}

async function publishAck(edge: EdgeProcess, channel: string, data: unknown): Promise<{ id: string; expected: number }> {
  const res = await fetch(`${edge.url}/v1/channels/${encodeURIComponent(channel)}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ data, ack: true }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; expected: number };
}

async function receipts(edge: EdgeProcess, channel: string, id: string): Promise<Receipts> {
  const res = await fetch(`${edge.url}/v1/channels/${encodeURIComponent(channel)}/events/${id}/receipts`);
  expect(res.status).toBe(200);
  return (await res.json()) as Receipts;
}

const stateOf = (r: Receipts, device: string) => r.devices.find((d) => d.device === device);

function postReceipt(edge: EdgeProcess, channel: string, id: string, body: unknown): Promise<Response> {
  return fetch(`${edge.url}/v1/channels/${encodeURIComponent(channel)}/events/${id}/receipts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('delivery receipts', () => {
  it('expects a receipt from every member at publish time and shows each one delivered, acknowledged or pending', async () => {
    const [a, b, c] = cluster.edges as [EdgeProcess, EdgeProcess, EdgeProcess];
    const channel = 'orders/eu-1';
    // The tablet subscribed once and went away: still a member, so it owes a receipt too.
    const tablet = await SseClient.connect(`${b.url}/v1/sse?channel=${encodeURIComponent(channel)}&device=tablet`);
    tablet.close();
    const phone = await SseClient.connect(`${b.url}/v1/sse?channel=${encodeURIComponent(channel)}&device=phone`);
    const laptop = await WsClient.connect(`${wsUrl(c)}?device=laptop`);
    laptop.send({ type: 'subscribe', channel });
    await laptop.next((f) => f.type === 'subscribed');

    const { id, expected } = await publishAck(a, channel, { order: 1 });
    expect(expected).toBe(3);
    expect(JSON.parse((await phone.nextEvent()).data).id).toBe(id);
    expect((await laptop.next((f) => f.type === 'event')).id).toBe(id);

    const res = await postReceipt(a, channel, id, { device: 'phone', status: 'processed', detail: 'shipped' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ result: 'recorded', receipt: { device: 'phone', state: 'processed' } });
    laptop.send({ type: 'ack', channel, id, ref: 9 });
    expect(await laptop.next((f) => f.type === 'acked')).toEqual({ type: 'acked', channel, id, state: 'received', result: 'recorded', ref: 9 });

    await waitUntil(async () => stateOf(await receipts(b, channel, id), 'phone')?.attempts === 1, 'the delivery mark');
    const view = await receipts(b, channel, id);
    expect(view.expected).toBe(3);
    expect(stateOf(view, 'phone')).toMatchObject({ state: 'processed', attempts: 1, deliveredAt: expect.any(Number), receiptAt: expect.any(Number), detail: 'shipped' });
    expect(stateOf(view, 'laptop')).toMatchObject({ state: 'received', attempts: 1 });
    expect(stateOf(view, 'tablet')).toMatchObject({ state: 'pending', attempts: 0 });

    // The tablet comes back on another node and resumes: it gets the event and its receipt completes.
    const back = await SseClient.connect(`${c.url}/v1/sse?channel=${encodeURIComponent(channel)}&device=tablet`, { headers: { 'last-event-id': tablet.lastEventId! } });
    expect(JSON.parse((await back.nextEvent()).data).id).toBe(id);
    await waitUntil(async () => stateOf(await receipts(a, channel, id), 'tablet')?.state === 'delivered', 'the tablet delivery');
    expect((await postReceipt(c, channel, id, { device: 'tablet' })).status).toBe(200);
    expect(stateOf(await receipts(a, channel, id), 'tablet')).toMatchObject({ state: 'received', attempts: 1 });
    phone.close();
    laptop.close();
    back.close();
  });

  it('answers bad and repeated receipts clearly, changing nothing', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const channel = 'orders/eu-2';
    const member = await SseClient.connect(`${b.url}/v1/sse?channel=${encodeURIComponent(channel)}&device=d1`);
    const { id } = await publishAck(a, channel, 'x');
    const plain = await publish(a, channel, 'no ack');
    expect((await postReceipt(a, channel, id, { device: 'd1', status: 'processed' })).status).toBe(200);

    const cases: [string, string, unknown, number, string | undefined][] = [
      ['a repeat', id, { device: 'd1', status: 'processed' }, 200, undefined],
      ['received after processed', id, { device: 'd1', status: 'received' }, 200, undefined],
      ['failed after processed', id, { device: 'd1', status: 'failed' }, 409, 'TIDINGS_RECEIPT_CONFLICT'],
      ['a device that was not a member', id, { device: 'stranger' }, 404, 'TIDINGS_RECEIPT_NOT_EXPECTED'],
      ['an event without ack', plain, { device: 'd1' }, 404, 'TIDINGS_RECEIPT_NOT_EXPECTED'],
      ['an unknown event', '1-1', { device: 'd1' }, 404, 'TIDINGS_RECEIPT_NOT_EXPECTED'],
      ['a bad status', id, { device: 'd1', status: 'seen' }, 400, 'TIDINGS_BODY_INVALID'],
      ['a bad device', id, { device: 'a b' }, 400, 'TIDINGS_DEVICE_INVALID'],
      ['a bad event id', 'yesterday', { device: 'd1' }, 400, 'TIDINGS_EVENT_ID_INVALID'],
    ];
    for (const [name, eventId, body, status, code] of cases) {
      const res = await postReceipt(a, channel, eventId, body);
      expect(res.status, name).toBe(status);
      if (code) expect(((await res.json()) as { error: { code: string } }).error.code, name).toBe(code);
      else expect(((await res.json()) as { result: string }).result, name).toBe('unchanged');
    }
    expect(stateOf(await receipts(a, channel, id), 'd1')?.state).toBe('processed');
    expect((await fetch(`${a.url}/v1/channels/${encodeURIComponent(channel)}/events/${plain}/receipts`)).status).toBe(404);
    member.close();
  });

  it('refuses a WebSocket ack from a connection that named no device', async () => {
    const ws = await WsClient.connect(wsUrl(cluster.edges[0]!));
    ws.send({ type: 'ack', channel: 'x', id: '1-0', ref: 'a' });
    expect(await ws.next((f) => f.type === 'error')).toMatchObject({ code: 'TIDINGS_DEVICE_INVALID', ref: 'a' });
    ws.close();
  });

  it('resumes a device that comes back without a cursor where it left off, on any node and transport', async () => {
    const [a, b, c] = cluster.edges as [EdgeProcess, EdgeProcess, EdgeProcess];
    const channel = 'positions/reader';
    const sse = (edge: EdgeProcess) => `${edge.url}/v1/sse?channel=${encodeURIComponent(channel)}&device=reader`;
    const first = await SseClient.connect(sse(a));
    for (const n of [1, 2, 3]) await publish(a, channel, n);
    expect((await first.waitFor(3)).map((e) => JSON.parse(e.data).data)).toEqual([1, 2, 3]);
    first.close();
    // Gone from presence means its last position is stored (it is saved before the leave).
    await waitUntil(async () => {
      const res = await fetch(`${a.url}/v1/channels/${encodeURIComponent(channel)}/presence`);
      return ((await res.json()) as { online: number }).online === 0;
    }, 'the reader to leave');
    for (const n of [4, 5]) await publish(a, channel, n);

    // A page reload: no Last-Event-ID, another node.
    const again = await SseClient.connect(sse(b));
    expect((await again.waitFor(2)).map((e) => JSON.parse(e.data).data)).toEqual([4, 5]);
    again.close();
    await waitUntil(async () => {
      const res = await fetch(`${a.url}/v1/channels/${encodeURIComponent(channel)}/presence`);
      return ((await res.json()) as { online: number }).online === 0;
    }, 'the reader to leave again');
    await publish(a, channel, 6);
    const ws = await WsClient.connect(`${wsUrl(c)}?device=reader`);
    ws.send({ type: 'subscribe', channel });
    expect((await ws.next((f) => f.type === 'event')).data).toBe(6);
    ws.close();
  });
});
