import { describe, expect, it } from 'vitest';
import { chooseTransport, createClient } from './create-client.js';
import { FakeFetch, jsonResponse } from './spec-support/fake-fetch.js';
import { FakeWebSocket } from './spec-support/fake-web-socket.js';
import { settle } from './spec-support/manual-timers.js';
import { TidingsClientError } from './tidings-client-error.js';
import type { EventSourceConstructor } from './types.js';

const FakeEs = class {
  readyState = 0;
  addEventListener(): void {}
  close(): void {}
} as unknown as EventSourceConstructor;

describe('createClient', () => {
  it("'auto' prefers WebSocket, then SSE, then long-poll", () => {
    const fetch = new FakeFetch().fetch;
    expect(chooseTransport('auto', { WebSocket: FakeWebSocket, EventSource: FakeEs, fetch })).toBe('ws');
    expect(chooseTransport('auto', { WebSocket: undefined, EventSource: FakeEs, fetch: undefined })).toBe('sse');
    expect(chooseTransport('auto', { WebSocket: undefined, EventSource: undefined, fetch })).toBe('sse');
    expect(() => chooseTransport('auto', { WebSocket: undefined, EventSource: undefined, fetch: undefined })).toThrow(TidingsClientError);
  });

  it('refuses a transport this environment cannot provide', () => {
    expect(() => chooseTransport('ws', { WebSocket: undefined, EventSource: FakeEs, fetch: undefined })).toThrow(/inject/);
  });

  it('picks the SSE reader over fetch in Node 20, which has fetch but no EventSource or WebSocket', () => {
    expect(createClient({ url: 'http://x', fetch: new FakeFetch().fetch }).transport).toBe(typeof WebSocket === 'function' ? 'ws' : 'sse');
  });

  it('refuses bad channels and patterns before any request, with the protocol error code', () => {
    const fake = new FakeFetch();
    const client = createClient({ url: 'http://x', transport: 'poll', fetch: fake.fetch });
    expect(() => client.subscribe('a/#/b', () => undefined)).toThrow(expect.objectContaining({ code: 'TIDINGS_PATTERN_INVALID', status: 400 }));
    expect(() => client.subscribe('white space', () => undefined)).toThrow(expect.objectContaining({ code: 'TIDINGS_CHANNEL_INVALID' }));
    expect(() => client.subscribe([], () => undefined)).toThrow(TidingsClientError);
    expect(fake.calls).toHaveLength(0);
  });

  it('rejects a base URL that is not http(s)', () => {
    expect(() => createClient({ url: 'ftp://x', fetch: new FakeFetch().fetch })).toThrow(TypeError);
  });

  it('refuses new subscriptions after close()', () => {
    const client = createClient({ url: 'http://x', transport: 'poll', fetch: new FakeFetch().fetch });
    client.close();
    expect(() => client.subscribe('a', () => undefined)).toThrow(expect.objectContaining({ code: 'TIDINGS_CLIENT_CLOSED' }));
  });
});

describe('publish', () => {
  it('POSTs JSON to the percent-encoded channel and resolves with id and channel', async () => {
    const fake = new FakeFetch();
    const client = createClient({ url: 'http://edge.test/prefix', transport: 'poll', fetch: fake.fetch });
    const result = client.publish('news/uk:ldn', { hi: 1 }, { event: 'greeting', ack: true, idempotencyKey: 'k1' });
    const call = fake.last();
    expect(call.url).toBe('http://edge.test/prefix/v1/channels/news%2Fuk%3Aldn/events');
    expect(call.init?.method).toBe('POST');
    expect(call.header('content-type')).toBe('application/json');
    expect(JSON.parse(call.init?.body as string)).toEqual({ data: { hi: 1 }, event: 'greeting', ack: true, idempotencyKey: 'k1' });
    call.respond(jsonResponse(201, { id: '1-0', channel: 'news/uk:ldn' }));
    await expect(result).resolves.toEqual({ id: '1-0', channel: 'news/uk:ldn' });
  });

  it('rejects with the server error code, status and message', async () => {
    const fake = new FakeFetch();
    const client = createClient({ url: 'http://edge.test', transport: 'poll', fetch: fake.fetch });
    const result = client.publish('a', 'x');
    fake.last().respond(jsonResponse(413, { error: { code: 'TIDINGS_BODY_TOO_LARGE', message: 'too big' } }));
    await expect(result).rejects.toMatchObject({ name: 'TidingsClientError', code: 'TIDINGS_BODY_TOO_LARGE', status: 413, message: 'too big' });
  });

  it('rejects with client codes when there is no server error body', async () => {
    const fake = new FakeFetch();
    const client = createClient({ url: 'http://edge.test', transport: 'poll', fetch: fake.fetch });
    const network = client.publish('a', 1);
    fake.last().fail();
    await expect(network).rejects.toMatchObject({ code: 'TIDINGS_CLIENT_NETWORK', status: 0 });
    const html = client.publish('a', 1);
    fake.last().respond(new Response('<h1>Bad gateway</h1>', { status: 502 }));
    await expect(html).rejects.toMatchObject({ code: 'TIDINGS_CLIENT_HTTP', status: 502 });
    const odd = client.publish('a', 1);
    fake.last().respond(jsonResponse(201, { ok: true }));
    await expect(odd).rejects.toMatchObject({ code: 'TIDINGS_CLIENT_BAD_RESPONSE' });
  });

  it('refuses to publish on a pattern without a request', async () => {
    const fake = new FakeFetch();
    const client = createClient({ url: 'http://edge.test', transport: 'poll', fetch: fake.fetch });
    await expect(client.publish('news/#', 1)).rejects.toMatchObject({ code: 'TIDINGS_CHANNEL_INVALID' });
    expect(fake.calls).toHaveLength(0);
  });
});

describe('ack', () => {
  it("POSTs this device's receipt", async () => {
    const fake = new FakeFetch();
    const client = createClient({ url: 'http://edge.test', transport: 'poll', fetch: fake.fetch, device: 'phone-1' });
    const done = client.ack('orders/1', '5-0', { status: 'processed', detail: 'ok' });
    expect(fake.last().url).toBe('http://edge.test/v1/channels/orders%2F1/events/5-0/receipts');
    expect(JSON.parse(fake.last().init?.body as string)).toEqual({ device: 'phone-1', status: 'processed', detail: 'ok' });
    fake.last().respond(jsonResponse(200, {}));
    await expect(done).resolves.toBeUndefined();
  });

  it('needs a device id', async () => {
    const client = createClient({ url: 'http://edge.test', transport: 'poll', fetch: new FakeFetch().fetch });
    await expect(client.ack('a', '1-0')).rejects.toMatchObject({ code: 'TIDINGS_CLIENT_NO_DEVICE' });
  });
});

describe('callbacks', () => {
  it('a throwing onEvent is reported to onError and does not stop the subscription', async () => {
    const fake = new FakeFetch();
    const client = createClient({ url: 'http://edge.test', transport: 'poll', fetch: fake.fetch });
    const errors: Error[] = [];
    const seen: string[] = [];
    client.subscribe(
      'a',
      (e) => {
        seen.push(e.id);
        if (e.id === '1-0') throw new Error('boom');
      },
      { onError: (e) => errors.push(e) },
    );
    fake.last().respond(jsonResponse(200, { events: [{ channel: 'a', id: '1-0', event: 'm', data: 1 }, { channel: 'a', id: '2-0', event: 'm', data: 2 }], cursor: 'c' }));
    await settle();
    expect(seen).toEqual(['1-0', '2-0']);
    expect(errors[0]).toMatchObject({ code: 'TIDINGS_CLIENT_CALLBACK_FAILED', message: expect.stringContaining('boom') });
  });
});
