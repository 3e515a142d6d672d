// The web console at /console, on a secured cluster of two edges: the console token it signs in
// for (minted by the admin token only, accepted by every edge), the channel list, and the page itself
// driven in headless Chromium. CONSOLE_SCREENSHOT_DIR=docs/img writes the README's pictures.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { ConsoleTokens } from '@tidings/auth';
import { CLOSE } from '@tidings/protocol';
import { type EdgeProcess, type RedisServer, SseClient, startEdge, startWorker, useOrStartRedis, WsClient } from '@tidings/testing';
import { SignJWT } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, wsUrl } from './support.js';

const SCREENSHOTS = resolve(process.env['CONSOLE_SCREENSHOT_DIR'] ?? resolve(tmpdir(), 'tidings-console-screenshots'));
const SECRET = 'an-hs256-secret-of-at-least-32-characters';
const ADMIN = 'the-admin-token-of-this-console-cluster';
const LIFETIME_SECONDS = 120;
/** The console refreshes its panels every few seconds. */
const SOON = { timeout: 10_000 };

let redis: RedisServer;
let a: EdgeProcess;
let b: EdgeProcess;
let browser: Browser;
let page: Page;
/** Every URL the console page asked for: no token may ever be in one. */
const requested: string[] = [];

const secured = (node: string) =>
  startEdge({
    redisUrl: redis.url,
    anonymous: false,
    env: { TIDINGS_AUTH_JWT_SECRET: SECRET, TIDINGS_AUTH_ADMIN_TOKEN: ADMIN },
    // The allow-list names only an application's origin: the edge's own pages still stream.
    // Token expiry is checked on the heartbeat: each second, so an expired console token is seen soon.
    args: ['--node-id', node, '--auth-console-token-seconds', String(LIFETIME_SECONDS), '--presence-refresh-seconds', '1', '--sse-heartbeat-seconds', '1', '--cors-origins', 'https://app.test'],
  });

/** An operator-issued token, as applications get them. */
const jwt = (claims: Record<string, unknown>, sub?: string) => {
  const token = new SignJWT({ tidings: { subscribe: ['#'], publish: ['#'], consume: ['#'] }, ...claims }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m');
  return (sub ? token.setSubject(sub) : token).sign(new TextEncoder().encode(SECRET));
};

const call = (edge: EdgeProcess, method: string, path: string, token?: string, body?: unknown) =>
  fetch(`${edge.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const mint = async (edge: EdgeProcess): Promise<{ token: string; expiresAt: number }> => (await (await call(edge, 'POST', '/v1/admin/console-token', ADMIN)).json()) as { token: string; expiresAt: number };

beforeAll(async () => {
  redis = await useOrStartRedis();
  [a, b] = await Promise.all([secured('console-a'), secured('console-b')]);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('request', (request) => requested.push(request.url()));
  mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await Promise.all([browser?.close(), a?.stop(), b?.stop()]);
  await redis?.stop();
});

describe('the console token', () => {
  it('is minted for the admin token only: not without it, nor for a token with every grant', async () => {
    const refused = await call(a, 'POST', '/v1/admin/console-token');
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('TIDINGS_UNAUTHORIZED');
    expect((await call(a, 'POST', '/v1/admin/console-token', await jwt({}))).status).toBe(401);
    expect((await call(a, 'POST', '/v1/admin/console-token', 'x'.repeat(40))).status).toBe(401);
    expect((await call(a, 'GET', '/v1/admin/console-token', ADMIN)).status).toBe(405);
  });

  it('lives for the configured minutes, is never cached, and is no admin token itself', async () => {
    const before = Date.now();
    const response = await call(a, 'POST', '/v1/admin/console-token', ADMIN);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { token, expiresAt, expiresIn } = (await response.json()) as { token: string; expiresAt: number; expiresIn: number };
    expect(expiresIn).toBe(LIFETIME_SECONDS);
    expect(expiresAt).toBeGreaterThan(before + (LIFETIME_SECONDS - 2) * 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + LIFETIME_SECONDS * 1000);
    expect((await call(a, 'GET', '/v1/admin/nodes', token)).status).toBe(401);
    expect((await call(a, 'POST', '/v1/admin/console-token', token)).status).toBe(401);
  });

  it('minted on one edge publishes and subscribes on the other, on any channel', async () => {
    const { token } = await mint(a);
    const stream = await SseClient.connect(`${b.url}/v1/sse?channel=${encodeURIComponent('anywhere/#')}`, { headers: { authorization: `Bearer ${token}` } });
    expect(stream.status).toBe(200);
    expect((await call(b, 'POST', '/v1/channels/anywhere%2Fat%2Fall/events', token, { data: 'from the console' })).status).toBe(201);
    expect(JSON.parse((await stream.nextEvent()).data)).toMatchObject({ data: 'from the console' });
    stream.close();
  });

  it('forged with the operator\'s key but the console\'s key id is refused', async () => {
    const forged = await new SignJWT({ tidings: { publish: ['#'] } })
      .setProtectedHeader({ alg: 'HS256', kid: 'tidings-console' })
      .setIssuer('tidings-console')
      .setAudience('tidings-console')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET));
    expect((await call(a, 'POST', '/v1/channels/x/events', forged, { data: 1 })).status).toBe(401);
  });
});

describe('GET /v1/admin/channels', () => {
  it('lists channels holding events by name, bounded by limit, for the admin token only', async () => {
    const token = await jwt({});
    for (const channel of ['list/b', 'list/a', 'list/c']) expect((await call(a, 'POST', `/v1/channels/${encodeURIComponent(channel)}/events`, token, { data: 1 })).status).toBe(201);
    const all = (await (await call(b, 'GET', '/v1/admin/channels', ADMIN)).json()) as { channels: string[]; truncated: boolean };
    expect(all.channels.filter((c) => c.startsWith('list/'))).toEqual(['list/a', 'list/b', 'list/c']);
    expect(all.truncated).toBe(false);
    const one = (await (await call(b, 'GET', '/v1/admin/channels?limit=1', ADMIN)).json()) as { channels: string[]; truncated: boolean };
    expect(one).toEqual({ channels: [all.channels[0]], truncated: true });
    for (const limit of ['0', '1001', 'ten', '-1']) {
      const bad = await call(b, 'GET', `/v1/admin/channels?limit=${limit}`, ADMIN);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('TIDINGS_QUERY_INVALID');
    }
    expect((await call(b, 'GET', '/v1/admin/channels', token)).status).toBe(401);
  });
});

describe('the console page in headless Chromium', () => {
  it('is served at /console locked down: its own scripts only, never framed, never cached', async () => {
    const response = await fetch(`${a.url}/console`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${a.url}/console.html`)).status).toBe(404);
  });

  it('streams to the edge\'s own pages whatever the origin allow-list, and still to no other site', async () => {
    const { token } = await mint(a);
    const host = new URL(a.url).host;
    const own = await SseClient.connect(`${a.url}/v1/sse?channel=x`, { headers: { authorization: `Bearer ${token}`, origin: `http://${host}` } });
    expect(own.status).toBe(200);
    own.close();
    (await WsClient.connect(wsUrl(a), { headers: { origin: `http://${host}` } })).close();
    const stranger = await fetch(`${a.url}/v1/sse?channel=x`, { headers: { authorization: `Bearer ${token}`, origin: 'https://evil.test' } });
    expect(stranger.status).toBe(403);
    await expect(WsClient.connect(wsUrl(a), { headers: { origin: `https://evil.test` } })).rejects.toMatchObject({ status: 403 });
    // An origin naming this host on another port is another site.
    await expect(WsClient.connect(wsUrl(a), { headers: { origin: `http://${new URL(a.url).hostname}:1` } })).rejects.toMatchObject({ status: 403 });
  });

  it('refuses a wrong admin token, and signs in with the right one to show every live node', async () => {
    const errors: string[] = [];
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await page.goto(`${a.url}/console`);
    await page.fill('#admin-token', 'not-the-admin-token-at-all-not-at-all');
    await page.click('#sign-in-button');
    await expect.poll(() => page.textContent('#sign-in-error'), SOON).toContain('TIDINGS_UNAUTHORIZED');
    await page.fill('#admin-token', ADMIN);
    await page.screenshot({ path: resolve(SCREENSHOTS, 'console-sign-in.png') });
    await page.click('#sign-in-button');
    await expect.poll(() => page.textContent('#nodes tbody'), SOON).toContain('console-a');
    await expect.poll(() => page.textContent('#nodes tbody'), SOON).toContain('console-b');
    expect(await page.isVisible('#sign-in')).toBe(false);
    // Only the 401 of the wrong token: the page's CSP let everything else run.
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
  });

  it('tails a pattern and shows what another edge publishes, then what its own form publishes', async () => {
    await page.fill('#tail-pattern', 'shop/#');
    await page.click('#tail-button');
    await expect.poll(() => page.textContent('#tail-state'), SOON).toBe('open: shop/#');
    expect((await call(b, 'POST', '/v1/channels/shop%2Fnews/events', await jwt({}), { event: 'sale', data: { off: '20%' } })).status).toBe(201);
    await expect.poll(() => page.textContent('#tail'), SOON).toContain('{"off":"20%"}');
    await page.fill('#publish-channel', 'shop/news');
    await page.fill('#publish-event', 'note');
    await page.fill('#publish-data', '{"from": "the console"}');
    await page.click('#publish-button');
    await expect.poll(() => page.textContent('#publish-result'), SOON).toMatch(/^published \d+-\d+ on shop\/news$/);
    await expect.poll(() => page.textContent('#tail li:first-child'), SOON).toContain('{"from":"the console"}');
    await expect.poll(() => page.textContent('#channels tbody'), SOON).toContain('shop/news');
  });

  it('shows consumer groups, presence, and the receipts of an ack event per device, in colour', async () => {
    const worker = await startWorker({
      redisUrl: redis.url,
      args: ['--receipts-ack-timeout-seconds', '1', '--receipts-max-retries', '1', '--receipts-backoff-base-seconds', '1', '--receipts-backoff-max-seconds', '1'],
    });
    const [phoneToken, tabletToken] = await Promise.all([jwt({}, 'phone'), jwt({}, 'tablet')]);
    const devices = await Promise.all(
      [['phone', phoneToken], ['tablet', tabletToken]].map(([device, token]) =>
        SseClient.connect(`${b.url}/v1/sse?channel=shop%2Forders&device=${device}`, { headers: { authorization: `Bearer ${token}` } }),
      ),
    );
    const [phone, tablet] = devices as [SseClient, SseClient];
    try {
      expect((await call(a, 'PUT', '/v1/channels/shop%2Forders/groups/billing', await jwt({}), {})).status).toBe(201);
      await expect.poll(() => page.textContent('#groups tbody'), SOON).toContain('billing');

      await page.fill('#presence-channel', 'shop/orders');
      await page.click('#presence-form button');
      await expect.poll(() => page.textContent('#presence tbody'), SOON).toContain('tablet');
      tablet.close(); // still a member: it owes a receipt, and will not answer

      await page.fill('#publish-channel', 'shop/orders');
      await page.fill('#publish-event', 'order');
      await page.fill('#publish-data', '{"order": 42}');
      await page.check('#publish-ack');
      await page.click('#publish-button');
      const id = JSON.parse((await phone.nextEvent((e) => e.event === 'order')).data).id as string;
      await expect.poll(() => page.inputValue('#receipts-id'), SOON).toBe(id);
      expect((await call(b, 'POST', `/v1/channels/shop%2Forders/events/${id}/receipts`, phoneToken, { device: 'phone', status: 'processed' })).status).toBe(200);
      const pictureOf = (device: string) => page.getAttribute(`#receipts tbody tr:has(td:text-is("${device}"))`, 'class');
      await expect.poll(() => pictureOf('phone'), SOON).toBe('acked');
      await expect.poll(() => pictureOf('tablet'), { timeout: 20_000 }).toBe('dead');
      await expect.poll(() => page.textContent('#receipts-summary'), SOON).toBe('1 acked0 pending0 retrying1 dead');
      await page.screenshot({ path: resolve(SCREENSHOTS, 'console.png'), fullPage: true });
      await page.locator('section:has(#receipts)').screenshot({ path: resolve(SCREENSHOTS, 'console-receipts.png') });
    } finally {
      phone.close();
      await worker.stop();
    }
  });

  it('opens at once on an anonymous development node, which mints nothing', async () => {
    const open = await startEdge({ redisUrl: redis.url, args: ['--node-id', 'console-dev'] });
    const devPage = await browser.newPage();
    try {
      expect(await (await call(open, 'POST', '/v1/admin/console-token')).json()).toEqual({ token: null, expiresAt: null, expiresIn: null });
      await devPage.goto(`${open.url}/console`);
      await expect.poll(() => devPage.textContent('#who'), SOON).toBe('anonymous node (development)');
      await expect.poll(() => devPage.textContent('#nodes tbody'), SOON).toContain('console-dev');
    } finally {
      await devPage.close();
      await open.stop();
    }
  });

  it('keeps no token in a URL or in storage, and the admin token only when asked to', async () => {
    expect(requested.filter((url) => /token=/i.test(url))).toEqual([]);
    const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }));
    expect(stored).toBe('{}{}');
    await page.click('#sign-out');
    await page.fill('#admin-token', ADMIN);
    await page.check('#keep-token');
    await page.click('#sign-in-button');
    await expect.poll(() => page.isVisible('#panels'), SOON).toBe(true);
    expect(await page.evaluate(() => Object.values(sessionStorage))).toEqual([ADMIN]);
    await page.reload(); // signs in again by itself, from this tab's storage
    await expect.poll(() => page.textContent('#nodes tbody'), SOON).toContain('console-a');
  });
});

describe('the console\'s token, running out under a live tail', () => {
  it('is renewed by the console, which resumes the tail without losing an event', async () => {
    // What an edge configured with a 3-second lifetime mints: the key is derived from the admin
    // token, so every edge of the cluster takes it. The configured minimum is 60 s; a test waits less.
    const short = await new ConsoleTokens(ADMIN, 3, 0).mint();
    const renewing = await browser.newPage();
    const minted: string[] = [];
    await renewing.route('**/v1/admin/console-token', async (route) => {
      // The page first tries to sign in by itself, without a token: the edge refuses that.
      if (route.request().headers()['authorization'] !== `Bearer ${ADMIN}`) return route.continue();
      if (minted.length === 0) {
        minted.push(short.token);
        return route.fulfill({ json: short, headers: { 'cache-control': 'no-store' } });
      }
      const response = await route.fetch(); // later ones from the edge itself
      const body = (await response.json()) as { token: string };
      minted.push(body.token);
      return route.fulfill({ response, json: body });
    });
    // Close codes are not visible from outside the page: record them as the client library sees them.
    await renewing.addInitScript(() => {
      const Native = window.WebSocket;
      const closes: number[] = ((window as unknown as { closeCodes: number[] }).closeCodes = []);
      window.WebSocket = class extends Native {
        constructor(...args: ConstructorParameters<typeof WebSocket>) {
          super(...args);
          this.addEventListener('close', (event) => closes.push(event.code));
        }
      };
    });
    const authTokens: string[] = [];
    renewing.on('websocket', (socket) =>
      socket.on('framesent', ({ payload }) => {
        const frame = JSON.parse(String(payload)) as { type: string; token?: string };
        if (frame.type === 'auth' && frame.token) authTokens.push(frame.token);
      }),
    );
    const publishTo = async (n: string) => expect((await call(b, 'POST', '/v1/channels/renew%2Ftail/events', await jwt({}), { event: 'step', data: { n } })).status).toBe(201);
    const tailed = async () => (await renewing.locator('#tail code.data').allTextContents()).reverse(); // newest first on the page
    try {
      await renewing.goto(`${a.url}/console`);
      await renewing.fill('#admin-token', ADMIN);
      await renewing.click('#sign-in-button');
      await renewing.fill('#tail-pattern', 'renew/tail');
      await renewing.click('#tail-button');
      await expect.poll(() => renewing.textContent('#tail-state'), SOON).toBe('open: renew/tail');
      await publishTo('before');
      await expect.poll(tailed, SOON).toEqual(['{"n":"before"}']);

      await expect.poll(() => renewing.evaluate(() => (window as unknown as { closeCodes: number[] }).closeCodes), SOON).toEqual([CLOSE.TOKEN_EXPIRED]);
      await publishTo('while renewing');
      await expect.poll(() => renewing.textContent('#tail-state'), SOON).toBe('open: renew/tail');
      await publishTo('after');
      await expect.poll(tailed, SOON).toEqual(['{"n":"before"}', '{"n":"while renewing"}', '{"n":"after"}']);
      expect(minted).toHaveLength(2);
      expect(authTokens).toEqual(minted); // the expired token first, then the renewed one
    } finally {
      await renewing.close();
    }
  });
});
