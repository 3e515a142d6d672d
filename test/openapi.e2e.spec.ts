import { readFileSync } from 'node:fs';
import { type EdgeProcess, redisCommand, SseClient, startEdge, startRedisServer, waitUntil, WsClient, WsRejectedError } from '@tidings/testing';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, committedDocument, OpenApiContract } from './openapi-contract.js';
import { edgesOnRedis, wsUrl } from './support.js';

// Every documented operation is called on real edges, its success and its errors, and every
// answer is held to the document: a route that changes its answer, or a route nobody documented,
// fails here.

const ADMIN_TOKEN = 'openapi-admin-token-0123456789abcdef';
const JWT_SECRET = 'openapi-jwt-secret-0123456789abcdef';
const RETAINED = 20;
const cluster = edgesOnRedis(1, () => ['--auth-admin-token', ADMIN_TOKEN, '--limits-max-body-bytes', '4096', '--retention-max-length', String(RETAINED)]);
let authed: EdgeProcess;
let contract: OpenApiContract;

const open = () => cluster.edges[0]!;
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };
const JSON_TYPE = { 'content-type': 'application/json' };

beforeAll(async () => {
  authed = await startEdge({ redisUrl: cluster.redis.url, anonymous: false, args: ['--auth-jwt-secret', JWT_SECRET] });
  contract = new OpenApiContract(JSON.parse(await (await fetch(`${open().url}/v1/openapi.json`)).text()) as Record<string, unknown>);
});
afterAll(async () => {
  await authed?.stop();
});

/**
 * Calls `operation` ('POST /v1/publish') at `path` on `edge` and returns the answer, checked against
 * the document, as is the JSON body the edge accepted.
 */
async function call(operation: string, path: string, init: RequestInit = {}, edge: EdgeProcess = open()): Promise<Answer & { json: () => Body }> {
  const res = await fetch(`${edge.url}${path}`, { method: operation.split(' ')[0], ...init });
  const answer = { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
  contract.check(operation, answer);
  const sentJson = typeof init.body === 'string' && new Headers(init.headers).get('content-type') === 'application/json';
  if (sentJson && res.ok) contract.checkRequest(operation, init.body as string);
  return { ...answer, json: () => JSON.parse(answer.text) };
}

// The document's schema has checked every answer before a test reads a field of it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

const post = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({ method: 'POST', headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify(body) });

async function token(grants: Record<string, string[]>): Promise<string> {
  return new SignJWT({ tidings: grants, exp: Math.floor(Date.now() / 1000) + 600 }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(JWT_SECRET));
}

describe('the OpenAPI document', () => {
  it('is a well-formed OpenAPI 3.1 document, served exactly as committed in docs/', async () => {
    expect(OpenApiContract.problems(contract.document)).toEqual([]);
    contract.compileAll();
    const served = await call('GET /v1/openapi.json', '/v1/openapi.json');
    expect(served.text).toBe(committedDocument());
  });

  it('describes publishing: JSON, text, duplicates, batches, history, and their errors', async () => {
    const events = 'POST /v1/channels/{channel}/events';
    expect((await call(events, '/v1/channels/oa%2Fnews/events', post({ event: 'greeting', data: { n: 1 }, idempotencyKey: 'oa-1' }))).status).toBe(201);
    expect((await call(events, '/v1/channels/oa/news/events', { headers: { 'content-type': 'text/plain' }, body: 'hi' })).status).toBe(201);
    expect((await call(events, '/v1/channels/oa%2Fnews/events', post({ data: { n: 1 }, idempotencyKey: 'oa-1' }))).json().duplicate).toBe(true);
    expect((await call(events, '/v1/channels/oa%2Fnews/events', post({ data: 1, extra: true }))).status).toBe(400);
    expect((await call(events, '/v1/channels/oa%2Fnews/events', { headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(5000) })).status).toBe(413);
    expect((await call(events, '/v1/channels/oa%2Fnews/events', post({ data: 1 }), authed)).status).toBe(401);
    const subscriber = { authorization: `Bearer ${await token({ subscribe: ['oa/#'] })}` };
    expect((await call(events, '/v1/channels/oa%2Fnews/events', post({ data: 1 }, subscriber), authed)).status).toBe(403);

    const batch = 'POST /v1/publish';
    expect((await call(batch, '/v1/publish', post({ events: [{ channel: 'oa/news', data: 2 }, { channel: 'oa/other', event: 'e', data: 'x' }] }))).status).toBe(201);
    expect((await call(batch, '/v1/publish', post({ events: [] }))).json().error.code).toBe('TIDINGS_BATCH_INVALID');

    const history = 'GET /v1/channels/{channel}/events';
    const page = (await call(history, '/v1/channels/oa%2Fnews/events?since=0&limit=2')).json();
    expect(page.events).toHaveLength(2);
    expect((await call(history, `/v1/channels/oa%2Fnews/events?since=${page.next}`)).json().events).toHaveLength(1);
    expect((await call(history, '/v1/channels/oa%2Fnews/events?limit=0')).status).toBe(400);
  });

  it('describes the resets of history and long-poll, when retention has trimmed what was asked for', async () => {
    const batch = { events: Array.from({ length: RETAINED + 5 }, (_, n) => ({ channel: 'oa/trimmed', data: n })) };
    const [oldest] = (await call('POST /v1/publish', '/v1/publish', post(batch))).json().events.map((e: { id: string }) => e.id);
    expect((await call('GET /v1/channels/{channel}/events', `/v1/channels/oa%2Ftrimmed/events?since=${oldest}&limit=1`)).json().reset.lostFrom).toBe(oldest);
    expect((await call('GET /v1/poll', `/v1/poll?channel=oa/trimmed&since=${oldest}&timeout=0`)).json().resets).toHaveLength(1);
  });

  it('describes a batch cut short by the store: 503 with the events written', async () => {
    const redis = await startRedisServer({ args: ['--maxmemory-policy', 'noeviction'] });
    const edge = await startEdge({ redisUrl: redis.url });
    await call('POST /v1/channels/{channel}/events', '/v1/channels/oa%2Ffull/events', post({ data: 'first' }), edge);
    const used = Number(/used_memory:(\d+)/.exec(String(await redisCommand(redis.port, 'INFO', ['memory'])))![1]);
    await redisCommand(redis.port, 'CONFIG', ['SET', 'maxmemory', String(used + 40_000)]);
    const tooMuch = { events: Array.from({ length: 100 }, (_, n) => ({ channel: 'oa/full', data: 'x'.repeat(500) + n })) };
    const stopped = (await call('POST /v1/publish', '/v1/publish', post(tooMuch), edge)).json();
    expect(stopped.error.code).toBe('TIDINGS_UNAVAILABLE');
    expect(stopped.events.length).toBeGreaterThan(0);
    await edge.stop();
    await redis.stop();
  });

  it('describes an API key: made, listed, used, revoked', async () => {
    const made = (await call('POST /v1/admin/keys', '/v1/admin/keys', post({ name: 'openapi', publish: ['oa/#'] }, ADMIN))).json();
    expect((await call('POST /v1/admin/keys', '/v1/admin/keys', post({ name: 'nothing' }, ADMIN))).status).toBe(400);
    const asKey = { authorization: `Bearer ${made.key}` };
    expect((await call('POST /v1/channels/{channel}/events', '/v1/channels/oa%2Fkeyed/events', post({ data: 1 }, asKey), authed)).status).toBe(201);
    expect((await call('GET /v1/admin/keys', '/v1/admin/keys', { headers: ADMIN })).json().keys.map((k: { id: string }) => k.id)).toContain(made.id);
    expect((await call('GET /v1/admin/keys', '/v1/admin/keys')).status).toBe(401);
    expect((await call('DELETE /v1/admin/keys/{id}', `/v1/admin/keys/${made.id}`, { headers: ADMIN })).json().revoked).toBe(true);
    expect((await call('DELETE /v1/admin/keys/{id}', '/v1/admin/keys/no-such-key', { headers: ADMIN })).status).toBe(404);
  });

  it('describes subscribing over SSE, long-poll and the WebSocket', async () => {
    const sse = await fetch(`${open().url}/v1/sse?channel=oa/news&since=0`);
    const reader = sse.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    contract.check('GET /v1/sse', { status: sse.status, contentType: sse.headers.get('content-type'), text: first });
    expect(first).toMatch(/^retry: \d+\n/);
    expect((await call('GET /v1/sse', '/v1/sse')).status).toBe(400);

    const polled = (await call('GET /v1/poll', '/v1/poll?channel=oa/news&channel=oa/%2B&since=0&timeout=0')).json();
    expect(polled.events.length).toBeGreaterThan(0);
    expect((await call('GET /v1/poll', '/v1/poll?channel=oa/news&timeout=x')).status).toBe(400);

    const ws = await WsClient.connect(wsUrl(open()));
    contract.check('GET /v1/ws', { status: 101, contentType: null, text: '' });
    ws.close();
    const refused = await WsClient.connect(`${wsUrl(open())}?device=not%20a%20device`).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WsRejectedError);
    const { status, body } = refused as WsRejectedError;
    contract.check('GET /v1/ws', { status, contentType: 'application/json', text: body });
  });

  it('describes receipts and presence', async () => {
    const member = await SseClient.connect(`${open().url}/v1/sse?channel=oa/acked&device=oa-phone`);
    const { id } = (await call('POST /v1/channels/{channel}/events', '/v1/channels/oa%2Facked/events', post({ data: 'ping', ack: true }))).json();
    const receipts = `/v1/channels/oa%2Facked/events/${id}/receipts`;
    expect((await call('POST /v1/channels/{channel}/events/{id}/receipts', receipts, post({ device: 'oa-phone', status: 'processed' }))).json().result).toBe('recorded');
    expect((await call('POST /v1/channels/{channel}/events/{id}/receipts', receipts, post({ device: 'oa-phone', status: 'failed' }))).status).toBe(409);
    expect((await call('POST /v1/channels/{channel}/events/{id}/receipts', receipts, post({ device: 'oa-stranger' }))).status).toBe(404);
    expect((await call('GET /v1/channels/{channel}/events/{id}/receipts', `${receipts}?limit=1`)).json().states).toEqual({ processed: 1 });
    expect((await call('GET /v1/channels/{channel}/events/{id}/receipts', `${receipts}?after=x`)).status).toBe(400);
    expect((await call('GET /v1/channels/{channel}/events/{id}/receipts', '/v1/channels/oa%2Facked/events/1-0/receipts')).status).toBe(404);

    await waitUntil(async () => (await call('GET /v1/channels/{channel}/presence', '/v1/channels/oa%2Facked/presence')).json().online === 1, 'the device to be online');
    expect((await call('GET /v1/channels/{channel}/presence', '/v1/channels/oa%20acked/presence')).status).toBe(400);
    member.close();
  });

  it('describes consumer groups from creation to deletion', async () => {
    const group = '/v1/channels/oa%2Fjobs/groups/workers';
    expect((await call('PUT /v1/channels/{channel}/groups/{group}', group, { method: 'PUT', headers: JSON_TYPE, body: '{"start":"all","visibilitySeconds":5}' })).status).toBe(201);
    expect((await call('PUT /v1/channels/{channel}/groups/{group}', group, { method: 'PUT' })).json().created).toBe(false);
    expect((await call('PUT /v1/channels/{channel}/groups/{group}', group, { method: 'PUT', headers: JSON_TYPE, body: '{"start":"later"}' })).status).toBe(400);
    expect((await call('GET /v1/channels/{channel}/groups/{group}', group)).json().group).toBe('workers');
    expect((await call('GET /v1/channels/{channel}/groups/{group}', '/v1/channels/oa%2Fjobs/groups/nobody')).status).toBe(404);
    expect((await call('GET /v1/channels/{channel}/groups', '/v1/channels/oa%2Fjobs/groups')).json().groups).toHaveLength(1);
    expect((await call('GET /v1/channels/{channel}/groups', '/v1/channels/oa%20jobs/groups')).status).toBe(400);

    await call('POST /v1/publish', '/v1/publish', post({ events: [{ channel: 'oa/jobs', data: 1 }, { channel: 'oa/jobs', data: 2 }] }));
    const claimed = (await call('POST /v1/channels/{channel}/groups/{group}/claim', `${group}/claim`, post({ consumer: 'c1', count: 2 }))).json();
    expect(claimed.events).toHaveLength(2);
    expect((await call('POST /v1/channels/{channel}/groups/{group}/claim', `${group}/claim`, post({ count: 2 }))).status).toBe(400);
    expect((await call('POST /v1/channels/{channel}/groups/{group}/claim', '/v1/channels/oa%2Fjobs/groups/nobody/claim', post({ consumer: 'c1' }))).status).toBe(404);
    const [first, second] = claimed.events.map((e: { id: string }) => e.id);
    expect((await call('POST /v1/channels/{channel}/groups/{group}/acks', `${group}/acks`, post({ ids: [first] }))).json().results).toEqual({ [first]: 'acked' });
    expect((await call('POST /v1/channels/{channel}/groups/{group}/acks', `${group}/acks`, post({ ids: [] }))).status).toBe(400);
    expect((await call('POST /v1/channels/{channel}/groups/{group}/nacks', `${group}/nacks`, post({ ids: [second] }))).json().results).toEqual({ [second]: 'acked' });
    expect((await call('POST /v1/channels/{channel}/groups/{group}/nacks', `${group}/nacks`, post({ ids: ['x'] }))).status).toBe(400);

    expect((await call('GET /v1/admin/groups', '/v1/admin/groups', { headers: ADMIN })).json().groups).toHaveLength(1);
    expect((await call('GET /v1/admin/groups', '/v1/admin/groups')).status).toBe(401);
    expect((await call('DELETE /v1/channels/{channel}/groups/{group}', group, { method: 'DELETE' })).json().deleted).toBe(true);
    expect((await call('DELETE /v1/channels/{channel}/groups/{group}', group, { method: 'DELETE' })).status).toBe(404);
  });

  it('describes the channel list and the console token', async () => {
    await call('POST /v1/channels/{channel}/events', '/v1/channels/oa%2Flisted/events', post({ data: 1 }));
    expect((await call('GET /v1/admin/channels', '/v1/admin/channels', { headers: ADMIN })).json().channels).toContain('oa/listed');
    expect((await call('GET /v1/admin/channels', '/v1/admin/channels?limit=0', { headers: ADMIN })).status).toBe(400);
    expect((await call('GET /v1/admin/channels', '/v1/admin/channels')).status).toBe(401);
    expect((await call('POST /v1/admin/console-token', '/v1/admin/console-token', { headers: ADMIN })).json().token).toEqual(expect.any(String));
    expect((await call('POST /v1/admin/console-token', '/v1/admin/console-token')).status).toBe(401);
  });

  it('describes the admin views of nodes and connections', async () => {
    await waitUntil(async () => (await call('GET /v1/admin/nodes', '/v1/admin/nodes', { headers: ADMIN })).json().nodes.length === 2, 'both edges to report');
    expect((await call('GET /v1/admin/nodes', '/v1/admin/nodes', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await call('GET /v1/admin/connections', '/v1/admin/connections', { headers: ADMIN })).json().nodes).toBe(2);
    expect((await call('GET /v1/admin/connections', `/v1/admin/connections?token=nope`)).status).toBe(401);
  });

  it('describes health, readiness (also when the store is gone) and metrics', async () => {
    expect((await call('GET /healthz', '/healthz')).json().status).toBe('ok');
    expect((await call('GET /readyz', '/readyz')).json().ready).toBe(true);
    expect((await call('GET /metrics', '/metrics')).text).toContain('tidings_');

    const redis = await startRedisServer();
    const stranded = await startEdge({ redisUrl: redis.url });
    await redis.stop();
    await waitUntil(async () => (await call('GET /readyz', '/readyz', {}, stranded)).status === 503, 'the edge to see its store gone');
    stranded.kill9();
  });

  it('documents every route the router serves, and every documented operation was exercised', async () => {
    for (const segment of routedSegments()) expect(documentedSegments(), `the router serves …/${segment}, which no documented path names`).toContain(segment);
    for (const path of Object.keys(contract.document['paths'] as object).filter((p) => p !== '/v1/ws')) {
      const probe = await fetch(`${open().url}${sample(path)}`, { method: 'PATCH', headers: ADMIN });
      if (ANY_METHOD.includes(path)) {
        expect(probe.status, `PATCH ${path}`).toBe(200);
        continue;
      }
      const documented = contract.operations().filter((o) => o.endsWith(` ${path}`)).map((o) => o.split(' ')[0]);
      expect(probe.status, `PATCH ${path}`).toBe(405);
      expect(probe.headers.get('allow')?.split(', ').sort(), `the methods served at ${path}`).toEqual(documented.sort());
    }
    for (const operation of contract.operations()) {
      const statuses = [...contract.exercised(operation)];
      expect(statuses.some((s) => s < 300), `${operation}: a success answer`).toBe(true);
      if (contract.documentedStatuses(operation).some((s) => s >= 400 && s < 500)) expect(statuses.some((s) => s >= 400), `${operation}: an error answer`).toBe(true);
    }
  });
});

/** Answer every method alike, as the document says; GET is the operation it describes. */
const ANY_METHOD = ['/healthz', '/readyz', '/metrics'];

/** The literal path segments of router.ts: its route strings and the words its channel-route patterns match. */
function routedSegments(): Set<string> {
  const source = readFileSync(new URL('../services/edge/src/routes/router.ts', import.meta.url), 'utf8');
  const segments = new Set<string>();
  for (const [, literal] of source.matchAll(/'(\/[^']*)'/g)) for (const s of literal!.split('/')) if (s) segments.add(s);
  for (const [, word] of source.matchAll(/\\\/([a-z]+)/g)) segments.add(word!);
  for (const [, words] of source.matchAll(/\(([a-z]+(?:\|[a-z]+)+)\)/g)) for (const w of words!.split('|')) segments.add(w);
  return segments;
}

function documentedSegments(): string[] {
  return Object.keys(contract.document['paths'] as object).flatMap((p) => p.split('/').filter((s) => s && !s.startsWith('{')));
}

function sample(path: string): string {
  return path.replace('{channel}', 'oa%2Fprobe').replace('{id}', '1-0').replace('{group}', 'g');
}
