import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type EdgeProcess,
  makeTempDir,
  type RedisServer,
  removeTempDir,
  SseClient,
  startEdge,
  useOrStartRedis,
  waitUntil,
  WsClient,
  WsRejectedError,
} from '@tidings/testing';
import { createClient, type TidingsEvent } from '@tidings/client';
import { exportJWK, type JWTPayload, SignJWT } from 'jose';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wsUrl } from './support.js';

const SECRET = 'an-hs256-secret-of-at-least-32-characters';
const ADMIN = 'an-admin-token-of-at-least-32-characters!';
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'tidings-test';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const now = () => Math.floor(Date.now() / 1000);
const GRANT = { tidings: { subscribe: ['news/#'], publish: ['news/eu'] } };

let redis: RedisServer;
let edge: EdgeProcess;
let dir: string;

beforeAll(async () => {
  redis = await useOrStartRedis();
  dir = makeTempDir('tidings-auth-');
  writeFileSync(join(dir, 'rsa.pem'), rsa.publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [{ ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' }] }));
  edge = await startEdge({
    redisUrl: redis.url,
    anonymous: false,
    env: { TIDINGS_AUTH_JWT_SECRET: SECRET, TIDINGS_AUTH_ADMIN_TOKEN: ADMIN },
    args: [
      '--auth-jwt-public-key-file', join(dir, 'rsa.pem'),
      '--auth-jwks-file', join(dir, 'jwks.json'),
      '--auth-issuer', ISSUER,
      '--auth-audience', AUDIENCE,
      '--auth-clock-skew-seconds', '0',
      '--auth-ws-auth-seconds', '2',
      '--sse-heartbeat-seconds', '1',
      '--cors-origins', 'https://app.test',
    ],
  });
});

afterAll(async () => {
  await edge?.stop();
  await redis?.stop();
  removeTempDir(dir);
});

/** A token with good defaults that each case bends. */
async function token(claims: JWTPayload = {}, sign: { alg?: string; key?: Parameters<SignJWT['sign']>[0]; kid?: string } = {}): Promise<string> {
  const alg = sign.alg ?? 'HS256';
  const jwt = new SignJWT({ ...GRANT, iss: ISSUER, aud: AUDIENCE, exp: now() + 600, ...claims }).setProtectedHeader({ alg, ...(sign.kid ? { kid: sign.kid } : {}) });
  return jwt.sign(sign.key ?? new TextEncoder().encode(SECRET));
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const unsigned = () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...GRANT, iss: ISSUER, aud: AUDIENCE, exp: now() + 600 })}.`;

/** The outcome of one attempt: 'ok' or the error code it was refused with. */
type Outcome = string;

const sseSubscribe = async (t: string, channel: string): Promise<Outcome> => {
  const sse = await SseClient.connect(`${edge.url}/v1/sse?channel=${encodeURIComponent(channel)}`, { headers: { authorization: `Bearer ${t}` } });
  if (sse.status === 200) {
    sse.close();
    return 'ok';
  }
  await sse.closed;
  return (JSON.parse(sse.body) as { error: { code: string } }).error.code;
};
const sseQueryToken = async (t: string, channel: string): Promise<Outcome> => {
  const res = await fetch(`${edge.url}/v1/poll?channel=${encodeURIComponent(channel)}&timeout=0&token=${encodeURIComponent(t)}`);
  return res.status === 200 ? 'ok' : ((await res.json()) as { error: { code: string } }).error.code;
};
/** Authenticates with an auth frame, then sends `frame`: 'ok' when answered with `okType`. */
const wsAttempt = async (t: string, frame: Record<string, unknown>, okType: string): Promise<Outcome> => {
  const ws = await WsClient.connect(wsUrl(edge));
  try {
    ws.send({ type: 'auth', token: t, ref: 'a' });
    const answer = await ws.next((f) => f.ref === 'a');
    if (answer.type === 'error') return answer.code as string;
    ws.send({ ...frame, ref: 'f' });
    const reply = await ws.next((f) => f.ref === 'f');
    return reply.type === okType ? 'ok' : (reply.code as string);
  } finally {
    ws.close();
  }
};
const wsSubscribe = (t: string, channel: string) => wsAttempt(t, { type: 'subscribe', channel }, 'subscribed');
const wsHandshake = async (t: string, channel: string): Promise<Outcome> => {
  try {
    const ws = await WsClient.connect(`${wsUrl(edge)}?token=${encodeURIComponent(t)}`);
    ws.send({ type: 'subscribe', channel, ref: 's' });
    const reply = await ws.next((f) => f.ref === 's');
    ws.close();
    return reply.type === 'subscribed' ? 'ok' : (reply.code as string);
  } catch (error) {
    if (error instanceof WsRejectedError) return (JSON.parse(error.body) as { error: { code: string } }).error.code;
    throw error;
  }
};
const httpPublish = async (t: string, channel: string): Promise<Outcome> => {
  const res = await fetch(`${edge.url}/v1/channels/${encodeURIComponent(channel)}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
    body: '{"data":1}',
  });
  return res.status === 201 ? 'ok' : ((await res.json()) as { error: { code: string } }).error.code;
};
const wsPublish = (t: string, channel: string) => wsAttempt(t, { type: 'publish', channel, data: 1 }, 'published');

const subscribeWays = { 'SSE (Authorization header)': sseSubscribe, 'long-poll (?token=)': sseQueryToken, 'WebSocket (auth frame)': wsSubscribe, 'WebSocket (?token= on the upgrade)': wsHandshake };
const publishWays = { 'HTTP publish': httpPublish, 'WebSocket publish': wsPublish };

const cases: [string, () => Promise<string>, Outcome][] = [
  ['a valid HS256 token', () => token(), 'ok'],
  ['a valid RS256 token', () => token({}, { alg: 'RS256', key: rsa.privateKey }), 'ok'],
  ['a valid ES256 token from the JWKS', () => token({}, { alg: 'ES256', key: ec.privateKey, kid: 'ec-1' }), 'ok'],
  ['an expired token', () => token({ exp: now() - 60 }), 'TIDINGS_TOKEN_EXPIRED'],
  ['a token not valid yet', () => token({ nbf: now() + 600 }), 'TIDINGS_UNAUTHORIZED'],
  ['a token signed with another secret', () => token({}, { key: new TextEncoder().encode('x'.repeat(40)) }), 'TIDINGS_UNAUTHORIZED'],
  ['a token signed with another RSA key', () => token({}, { alg: 'RS256', key: otherRsa.privateKey }), 'TIDINGS_UNAUTHORIZED'],
  ['an algorithm that is not configured (HS384)', () => token({}, { alg: 'HS384', key: new TextEncoder().encode(`${SECRET}${SECRET}`) }), 'TIDINGS_UNAUTHORIZED'],
  ['alg none', async () => unsigned(), 'TIDINGS_UNAUTHORIZED'],
  [
    'algorithm confusion (HS256 keyed with the RSA public key)',
    () => token({}, { key: new TextEncoder().encode(rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string) }),
    'TIDINGS_UNAUTHORIZED',
  ],
  ['the wrong audience', () => token({ aud: 'someone-else' }), 'TIDINGS_UNAUTHORIZED'],
  ['the wrong issuer', () => token({ iss: 'https://evil.test' }), 'TIDINGS_UNAUTHORIZED'],
  ['no exp', () => token({ exp: undefined }), 'TIDINGS_UNAUTHORIZED'],
  ['no tidings grant claim', () => token({ tidings: undefined }), 'TIDINGS_UNAUTHORIZED'],
  ['a grant holding an invalid pattern', () => token({ tidings: { subscribe: ['a/#/b'], publish: [] } }), 'TIDINGS_UNAUTHORIZED'],
  ['garbage', async () => 'not.a.token', 'TIDINGS_UNAUTHORIZED'],
];

describe('authentication matrix', () => {
  describe.each(Object.entries(subscribeWays))('subscribe over %s', (_way, attempt) => {
    it.each(cases)('%s → %s', async (_name, make, expected) => {
      expect(await attempt(await make(), 'news/eu/sport')).toBe(expected);
    });

    it('refuses a channel outside the grant, and a pattern wider than it', async () => {
      const t = await token();
      expect(await attempt(t, 'sport/results')).toBe('TIDINGS_SUBSCRIBE_FORBIDDEN');
      expect(await attempt(t, '#')).toBe('TIDINGS_SUBSCRIBE_FORBIDDEN');
      expect(await attempt(t, 'news/+')).toBe('ok');
    });
  });

  describe.each(Object.entries(publishWays))('%s', (_way, attempt) => {
    it.each(cases)('%s → %s', async (_name, make, expected) => {
      expect(await attempt(await make(), 'news/eu')).toBe(expected);
    });

    it('refuses a channel outside the publish grant, even one it may subscribe to', async () => {
      expect(await attempt(await token(), 'news/us')).toBe('TIDINGS_PUBLISH_FORBIDDEN');
    });
  });

  it('refuses requests without credentials, over every transport', async () => {
    expect((await fetch(`${edge.url}/v1/sse?channel=news/eu`)).status).toBe(401);
    expect((await fetch(`${edge.url}/v1/channels/news%2Feu/events`, { method: 'POST', body: 'x' })).status).toBe(401);
    expect((await fetch(`${edge.url}/v1/channels/news%2Feu/events`)).status).toBe(401);
    const ws = await WsClient.connect(wsUrl(edge));
    ws.send({ type: 'subscribe', channel: 'news/eu', ref: 1 });
    expect(await ws.next((f) => f.type === 'error')).toMatchObject({ code: 'TIDINGS_UNAUTHORIZED', ref: 1 });
    expect((await ws.closed).code).toBe(4501);
  });

  it('closes a WebSocket that never authenticates', async () => {
    const ws = await WsClient.connect(wsUrl(edge));
    expect(await ws.closed).toMatchObject({ code: 4501, reason: 'no auth frame in time' });
  });
});

describe('devices, receipts and the admin API under authentication', () => {
  it('binds the device to the token\'s sub', async () => {
    const phone = await token({ sub: 'phone' });
    const res = await fetch(`${edge.url}/v1/sse?channel=news/eu&device=tablet`, { headers: { authorization: `Bearer ${phone}` } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('TIDINGS_DEVICE_FORBIDDEN');
    const own = await SseClient.connect(`${edge.url}/v1/sse?channel=news/eu`, { headers: { authorization: `Bearer ${phone}` } });
    expect(own.status).toBe(200);
    const presence = await fetch(`${edge.url}/v1/channels/news%2Feu/presence`, { headers: { authorization: `Bearer ${phone}` } });
    expect(((await presence.json()) as { devices: { device: string }[] }).devices.map((d) => d.device)).toEqual(['phone']);
    own.close();
  });

  it('lets a device answer only for itself, and only publishers read receipts', async () => {
    const publisher = await token({ tidings: { subscribe: [], publish: ['news/#'] } });
    const reader = await token({ sub: 'reader', tidings: { subscribe: ['news/#'], publish: [] } });
    const sse = await SseClient.connect(`${edge.url}/v1/sse?channel=news/receipts`, { headers: { authorization: `Bearer ${reader}` } });
    const published = await fetch(`${edge.url}/v1/channels/news%2Freceipts/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${publisher}`, 'content-type': 'application/json' },
      body: '{"data":"read me","ack":true}',
    });
    const { id } = (await published.json()) as { id: string };
    const receipt = (t: string, device: string) =>
      fetch(`${edge.url}/v1/channels/news%2Freceipts/events/${id}/receipts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
        body: JSON.stringify({ device, status: 'received' }),
      });
    expect((await receipt(reader, 'someone-else')).status).toBe(403);
    expect((await receipt(reader, 'reader')).status).toBe(200);
    const list = (t: string) => fetch(`${edge.url}/v1/channels/news%2Freceipts/events/${id}/receipts`, { headers: { authorization: `Bearer ${t}` } });
    expect(((await (await list(reader)).json()) as { error: { code: string } }).error.code).toBe('TIDINGS_RECEIPTS_FORBIDDEN');
    expect((await list(publisher)).status).toBe(200);
    sse.close();
  });

  it('opens the admin API to the admin token only', async () => {
    expect((await fetch(`${edge.url}/v1/admin/nodes`)).status).toBe(401);
    expect((await fetch(`${edge.url}/v1/admin/nodes`, { headers: { authorization: `Bearer ${await token()}` } })).status).toBe(401);
    expect((await fetch(`${edge.url}/v1/admin/nodes`, { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(200);
  });
});

describe('publisher API keys', () => {
  const admin = (method: string, path: string, body?: unknown, credential = ADMIN) =>
    fetch(`${edge.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const publishWith = (key: string, channel: string) =>
    fetch(`${edge.url}/v1/channels/${encodeURIComponent(channel)}/events`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: 'hello' });

  it('are made by the admin, shown once, publish within their grant, and stop working once revoked (and deleted)', async () => {
    const made = await admin('POST', '/v1/admin/keys', { name: 'billing service', publish: ['billing/#'] });
    expect(made.status).toBe(201);
    const { id, key } = (await made.json()) as { id: string; key: string };
    expect(key).toMatch(/^tk_[0-9a-f]{16}\./);

    expect((await publishWith(key, 'billing/invoices')).status).toBe(201);
    expect((await publishWith(key, 'news/eu')).status).toBe(403);
    expect((await publishWith(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`, 'billing/invoices')).status).toBe(401);
    const listed = (await (await admin('GET', '/v1/admin/keys')).json()) as { keys: Record<string, unknown>[] };
    expect(listed.keys.find((k) => k['id'] === id)).toEqual({ id, name: 'billing service', publish: ['billing/#'], subscribe: [], consume: [], createdAt: expect.any(Number) });
    expect(JSON.stringify(listed)).not.toContain(key.split('.')[1]);

    expect((await admin('DELETE', `/v1/admin/keys/${id}`)).status).toBe(200);
    await waitUntil(async () => (await publishWith(key, 'billing/invoices')).status === 401, 'the revocation to reach this node');
    // Revoking deletes: revoked keys do not pile up in Redis or in the listing.
    const after = (await (await admin('GET', '/v1/admin/keys')).json()) as { keys: Record<string, unknown>[] };
    expect(after.keys.find((k) => k['id'] === id)).toBeUndefined();
    expect((await admin('DELETE', `/v1/admin/keys/${id}`)).status).toBe(404);
    expect((await admin('DELETE', '/v1/admin/keys/0000000000000000')).status).toBe(404);
  });

  it('are managed by the admin only, from well-formed requests', async () => {
    expect((await admin('POST', '/v1/admin/keys', { name: 'x', publish: ['a'] }, await token())).status).toBe(401);
    for (const body of [{ name: '', publish: ['a'] }, { name: 'x' }, { name: 'x', publish: ['a/#/b'] }, { name: 'x', publish: ['a'], admin: true }]) {
      const res = await admin('POST', '/v1/admin/keys', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/^TIDINGS_(BODY|PATTERN)_INVALID$/);
    }
  });
});

describe('tokens that expire mid-connection', () => {
  it('ends an SSE stream with a token-expired event', async () => {
    const sse = await SseClient.connect(`${edge.url}/v1/sse?channel=news/eu`, { headers: { authorization: `Bearer ${await token({ exp: now() + 2 })}` } });
    expect(sse.status).toBe(200);
    const expired = await sse.nextEvent((e) => e.event === 'token-expired');
    expect(JSON.parse(expired.data)).toMatchObject({ code: 'TIDINGS_TOKEN_EXPIRED' });
    await sse.closed;
  });

  it('closes a WebSocket with 4002, unless a fresh token for the same device arrives in time', async () => {
    const lapsing = await WsClient.connect(`${wsUrl(edge)}?token=${await token({ sub: 'ws-device', exp: now() + 2 })}`);
    expect((await lapsing.closed).code).toBe(4002);

    const renewed = await WsClient.connect(`${wsUrl(edge)}?token=${await token({ sub: 'ws-device', exp: now() + 2 })}`);
    renewed.send({ type: 'auth', token: await token({ sub: 'other-device' }), ref: 'wrong' });
    expect(await renewed.next((f) => f.ref === 'wrong')).toMatchObject({ type: 'error', code: 'TIDINGS_DEVICE_FORBIDDEN' });
    renewed.send({ type: 'auth', token: await token({ sub: 'ws-device', exp: now() + 600 }), ref: 'fresh' });
    expect(await renewed.next((f) => f.ref === 'fresh')).toMatchObject({ type: 'authed', device: 'ws-device' });
    await new Promise((resolve) => setTimeout(resolve, 3500)); // past the first token's exp
    renewed.send({ type: 'ping', ref: 'still' });
    expect(await renewed.next((f) => f.ref === 'still')).toMatchObject({ type: 'pong' });
    renewed.close();
  });
});

describe.each(['sse', 'ws', 'poll'] as const)('the JS client over %s', (transport) => {
  it('fetches a fresh token whenever its token expires, and misses nothing', async () => {
    let issued = 0;
    const client = createClient({
      url: edge.url,
      transport,
      WebSocket: WebSocket as never,
      reconnect: { baseMs: 50, maxMs: 500 },
      pollTimeoutSec: 1,
      token: () => {
        issued += 1;
        return token({ exp: now() + 2 }); // short-lived: it expires several times during the test
      },
    });
    const got: TidingsEvent[] = [];
    const errors: Error[] = [];
    let open = false;
    const channel = `news/renew-${transport}`;
    client.subscribe(channel, (e) => got.push(e), { onState: (s) => (open ||= s === 'open'), onError: (e) => errors.push(e) });
    await waitUntil(() => open, 'the subscription to open');
    const publisher = await token({ tidings: { subscribe: [], publish: ['news/#'] } });
    const sent: number[] = [];
    const deadline = Date.now() + 5000;
    for (let n = 0; Date.now() < deadline || issued < 3; n++) {
      const res = await fetch(`${edge.url}/v1/channels/${encodeURIComponent(channel)}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${publisher}`, 'content-type': 'application/json' },
        body: JSON.stringify({ data: n }),
      });
      expect(res.status).toBe(201);
      sent.push(n);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await waitUntil(() => got.length >= sent.length, 'every event');
    expect(got.map((e) => e.data)).toEqual(sent);
    expect(errors).toEqual([]);
    expect(issued).toBeGreaterThanOrEqual(3); // it did renew, more than once
    client.close();
  });
});

describe('browser origins', () => {
  it('refuses SSE streams and WebSockets from origins outside the allow-list', async () => {
    const t = await token();
    const evil = await fetch(`${edge.url}/v1/sse?channel=news/eu&token=${t}`, { headers: { origin: 'https://evil.test' } });
    expect(evil.status).toBe(403);
    expect(((await evil.json()) as { error: { code: string } }).error.code).toBe('TIDINGS_ORIGIN_FORBIDDEN');
    await expect(WsClient.connect(`${wsUrl(edge)}?token=${t}`, { headers: { origin: 'https://evil.test' } })).rejects.toMatchObject({ status: 403 });
    const good = await SseClient.connect(`${edge.url}/v1/sse?channel=news/eu&token=${t}`, { headers: { origin: 'https://app.test' } });
    expect(good.status).toBe(200);
    good.close();
  });
});

describe('limits per principal', () => {
  let limited: EdgeProcess[] = [];
  beforeAll(async () => {
    const args = ['--limits-publish-rate-per-second', '1', '--limits-publish-burst', '3', '--limits-max-connections-per-principal', '2'];
    limited = await Promise.all([0, 1].map(() => startEdge({ redisUrl: redis.url, anonymous: false, env: { TIDINGS_AUTH_JWT_SECRET: SECRET }, args })));
  });
  afterAll(async () => {
    await Promise.all(limited.map((e) => e.stop()));
  });
  const post = (node: EdgeProcess, t: string) =>
    fetch(`${node.url}/v1/channels/news%2Feu/events`, { method: 'POST', headers: { authorization: `Bearer ${t}` }, body: 'x' });

  it('limits how fast one subject publishes, across all nodes, and says when to retry', async () => {
    const [a, b] = limited as [EdgeProcess, EdgeProcess];
    const spammer = await token({ sub: 'spammer', iss: undefined, aud: undefined });
    for (let i = 0; i < 3; i++) expect((await post(i % 2 ? b : a, spammer)).status).toBe(201);
    const refused = await post(b, spammer);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('TIDINGS_RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await post(a, await token({ sub: 'someone-else', iss: undefined, aud: undefined }))).status).toBe(201);
  });

  it('limits the connections one subject holds open on a node', async () => {
    const [a] = limited as [EdgeProcess];
    const t = await token({ sub: 'hoarder', iss: undefined, aud: undefined });
    const open = (): Promise<SseClient> => SseClient.connect(`${a.url}/v1/sse?channel=news/eu`, { headers: { authorization: `Bearer ${t}` } });
    const [first, second] = [await open(), await open()];
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await open();
    expect(third.status).toBe(429);
    await third.closed;
    expect(JSON.parse(third.body)).toMatchObject({ error: { code: 'TIDINGS_TOO_MANY_CONNECTIONS' } });
    await expect(WsClient.connect(`${wsUrl(a)}?token=${t}`)).rejects.toMatchObject({ status: 429 });
    first.close();
    await waitUntil(async () => {
      const again = await open();
      again.close();
      return again.status === 200;
    }, 'the slot to be given back');
    second.close();
  });

  it('counts a WebSocket that authenticates by frame and an MQTT CONNECT against the subject, and gives both places back on close', async () => {
    const [a] = limited as [EdgeProcess];
    const t = await token({ sub: 'late-hoarder', iss: undefined, aud: undefined });
    const ws = await WsClient.connect(wsUrl(a));
    ws.send({ type: 'auth', token: t, ref: 'a' });
    expect(await ws.next((f) => f.ref === 'a')).toMatchObject({ type: 'authed' });
    const device = await mqtt.connectAsync(`${a.url.replace(/^http/, 'ws')}/mqtt`, { reconnectPeriod: 0, connectTimeout: 10_000, clientId: 'late-hoarder', username: 'late-hoarder', password: t, protocolVersion: 5 });
    const third = await SseClient.connect(`${a.url}/v1/sse?channel=news/eu`, { headers: { authorization: `Bearer ${t}` } });
    expect(third.status).toBe(429);
    await third.closed;
    ws.close();
    await device.endAsync();
    await waitUntil(async () => {
      const opened = await Promise.all([0, 1].map(() => SseClient.connect(`${a.url}/v1/sse?channel=news/eu`, { headers: { authorization: `Bearer ${t}` } })));
      for (const sse of opened) sse.close();
      return opened.every((sse) => sse.status === 200);
    }, 'both places to be given back');
  });

  it('limits connections per client address, read from X-Forwarded-For behind a trusted proxy', async () => {
    const proxied = await startEdge({ redisUrl: redis.url, args: ['--limits-max-connections-per-ip', '1', '--limits-trusted-proxies', '127.0.0.1'] });
    try {
      const from = (client: string) => SseClient.connect(`${proxied.url}/v1/sse?channel=news/eu`, { headers: { 'x-forwarded-for': `spoofed, ${client}` } });
      const first = await from('198.51.100.1');
      const again = await from('198.51.100.1');
      const other = await from('198.51.100.2');
      expect([first.status, again.status, other.status]).toEqual([200, 429, 200]);
      for (const c of [first, again, other]) c.close();
    } finally {
      await proxied.stop();
    }
  });
});
