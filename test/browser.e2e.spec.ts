import { type EdgeProcess, freePort, type RedisServer, startEdge, startWorker, useOrStartRedis } from '@tidings/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, publish, publishMany } from './support.js';


let redis: RedisServer;
let a: EdgeProcess;
let b: EdgeProcess;
let bPort: number;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  redis = await useOrStartRedis();
  bPort = await freePort();
  [a, b] = await Promise.all([startEdge({ redisUrl: redis.url }), startEdge({ redisUrl: redis.url, env: { PORT: String(bPort) }, port: bPort })]);
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${a.url}/`);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.stop();
});

describe('in headless Chromium', () => {
  it('walks through receipts on the demo page: one device confirms, a closed one is retried and turns dead', async () => {
    const worker = await startWorker({
      redisUrl: redis.url,
      args: ['--receipts-ack-timeout-seconds', '1', '--receipts-max-retries', '1', '--receipts-backoff-base-seconds', '1', '--receipts-backoff-max-seconds', '1'],
    });
    const [phone, tablet] = [await browser.newPage(), await browser.newPage()];
    try {
      for (const [device, devicePage] of [['phone', phone], ['tablet', tablet]] as const) {
        await devicePage.goto(`${a.url}/`);
        // The form is wired once the client library has loaded and its first subscription is open.
        await expect.poll(() => devicePage.textContent('#log-state'), { timeout: 10_000 }).toBe('open');
        await devicePage.fill('#log-pattern', 'demo/receipts');
        await devicePage.fill('#log-device', device);
        await devicePage.click('#log-subscribe');
        // Present means subscribed as that device (the state badge may still show the page's first client).
        await expect
          .poll(async () => ((await (await fetch(`${a.url}/v1/channels/demo%2Freceipts/presence`)).json()) as { devices: { device: string }[] }).devices.map((d) => d.device), { timeout: 10_000 })
          .toContain(device);
      }
      await tablet.close(); // still a member: it owes receipts, and will not answer

      await phone.fill('#publish-channel', 'demo/receipts');
      await phone.fill('#publish-message', '{"order": 1}');
      await phone.check('#publish-ack');
      await phone.click('#publish-button');
      await expect.poll(() => phone.textContent('#publish-result'), { timeout: 10_000 }).toMatch(/2 device\(s\) owe a receipt/);
      const stateOf = (device: string) => phone.textContent(`#receipts tbody tr:has(td:text-is("${device}")) td:nth-child(2)`);
      await expect.poll(() => stateOf('phone'), { timeout: 10_000 }).toBe('received');
      await expect.poll(() => stateOf('tablet'), { timeout: 20_000 }).toBe('dead');
    } finally {
      await phone.close();
      await worker.stop();
    }
  });

  it('serves the demo page, which shows the node that served it and a live clock over SSE and WebSocket', async () => {
    await expect.poll(() => page.textContent('#node')).toContain(JSON.parse(await (await fetch(`${a.url}/healthz`)).text()).node);
    await publish(a, 'demo/clock', { time: '2026-11-23T12:00:00.000Z' }, 'tick');
    await expect.poll(() => page.textContent('#clock-sse')).toMatch(/12:00:00|2026-11-23/);
    await publish(a, 'demo/clock', { time: '2026-11-23T12:00:01.000Z' }, 'tick');
    await expect.poll(() => page.textContent('#clock-ws')).toMatch(/12:00:01|2026-11-23/);
  });

  it('receives on native EventSource and WebSocket what another node publishes', async () => {
    await page.evaluate(
      ({ sse, ws }) => {
        const w = window as unknown as { got: { sse: string[]; ws: string[] } };
        w.got = { sse: [], ws: [] };
        const source = new EventSource(`${sse}/v1/sse?channel=browser/one`);
        source.onmessage = (e) => w.got.sse.push(JSON.parse(e.data).data);
        const socket = new WebSocket(`${ws}/v1/ws`);
        socket.onopen = () => socket.send(JSON.stringify({ type: 'subscribe', channel: 'browser/one' }));
        socket.onmessage = (e) => {
          const frame = JSON.parse(e.data);
          if (frame.type === 'event') w.got.ws.push(frame.data);
        };
        return new Promise<void>((resolve) => {
          let ready = 0;
          source.onopen = () => ++ready === 2 && resolve();
          socket.addEventListener('message', (e) => JSON.parse(e.data).type === 'subscribed' && ++ready === 2 && resolve());
        });
      },
      { sse: b.url, ws: b.url.replace('http', 'ws') },
    );
    await publish(a, 'browser/one', 'hello browser');
    await expect.poll(() => page.evaluate(() => (window as unknown as { got: unknown }).got)).toEqual({ sse: ['hello browser'], ws: ['hello browser'] });
  });

  it('resumes a reloaded page after the last event it handled when the client keeps its cursor in sessionStorage', async () => {
    const reloading = await browser.newPage();
    // What the page runs on every load: one subscription that keeps its cursor, one that does not.
    // A string, so the test runner does not rewrite its dynamic import (the page's import map resolves it).
    const subscribe = (url: string) =>
      reloading.evaluate(`(async (base) => {
        const { createClient } = await import('@tidings/client');
        window.kept = [];
        window.plain = [];
        const opened = (client, into) =>
          new Promise((resolve) => client.subscribe('browser/reload', (e) => into.push(e.data), { onState: (state) => state === 'open' && resolve() }));
        await Promise.all([
          opened(createClient({ url: base, transport: 'sse', cursorStorage: sessionStorage }), window.kept),
          opened(createClient({ url: base, transport: 'sse' }), window.plain),
        ]);
      })(${JSON.stringify(url)})`);
    const got = () =>
      reloading.evaluate(() => {
        const { kept, plain } = window as unknown as { kept: unknown[]; plain: unknown[] };
        return { kept, plain };
      });
    try {
      await reloading.goto(`${a.url}/`);
      await subscribe(b.url);
      await publish(a, 'browser/reload', 'before');
      await expect.poll(got).toEqual({ kept: ['before'], plain: ['before'] });
      await reloading.reload();
      await publish(a, 'browser/reload', 'while reloading'); // nobody on the page is subscribed
      await subscribe(b.url);
      await publish(a, 'browser/reload', 'after');
      await expect.poll(got).toEqual({ kept: ['while reloading', 'after'], plain: ['after'] });
    } finally {
      await reloading.close();
    }
  });

  it('resumes a native EventSource with Last-Event-ID after its node restarts, missing nothing', async () => {
    await page.evaluate((url) => {
      const w = window as unknown as { resumed: string[]; opens: number };
      w.resumed = [];
      w.opens = 0;
      const source = new EventSource(`${url}/v1/sse?channel=browser/resume`);
      source.onopen = () => w.opens++;
      source.onmessage = (e) => w.resumed.push(JSON.parse(e.data).data);
    }, b.url);
    await expect.poll(() => page.evaluate(() => (window as unknown as { opens: number }).opens)).toBe(1);
    await publishMany(a, 'browser/resume', 2, 'before-');
    await expect.poll(() => page.evaluate(() => (window as unknown as { resumed: string[] }).resumed.length)).toBe(2);
    await b.stop(); // drains: the browser is told to retry soon
    await publishMany(a, 'browser/resume', 3, 'while-down-');
    b = await startEdge({ redisUrl: redis.url, port: bPort });
    await publish(a, 'browser/resume', 'after');
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { resumed: string[] }).resumed), { timeout: 20_000 })
      .toEqual(['before-0', 'before-1', 'while-down-0', 'while-down-1', 'while-down-2', 'after']);
  });
});
