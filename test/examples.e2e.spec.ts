// Each example in examples/ runs with one command against a real cluster and does what its
// README says (groups.e2e.spec.ts also runs the fleet-feedback replicas beside consumer groups).
import { execFile } from 'node:child_process';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { type EdgeProcess, spawnTracked, stopProcess } from '@tidings/testing';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { edgesOnRedis, launchChromium } from './support.js';

const cluster = edgesOnRedis(1);
const example = (path: string) => new URL(`../examples/${path}`, import.meta.url).pathname;
const run = async (path: string, ...args: string[]) => (await promisify(execFile)(process.execPath, [example(path), ...args], { timeout: 60_000 })).stdout.trim().split('\n');

describe('the examples', () => {
  it('news-feed: the news/+/sport reader gets sport from every region, the news/# reader gets everything', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const lines = (await run('news-feed/news.mjs', '--url', edge.url)).map((line) => line.split(' '));
    const channelsOf = (reader: string) => lines.filter(([who]) => who === reader).map(([, channel]) => channel).sort();
    expect(channelsOf('sport-fan')).toEqual(['news/asia/sport', 'news/europe/sport', 'news/usa/sport']);
    expect(channelsOf('news-junkie')).toHaveLength(9);
    expect(new Set(channelsOf('news-junkie')).size).toBe(9);
  });

  it('receipts-fleet: every valve answers every command, and the operator reads each receipt back', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const lines = await run('receipts-fleet/fleet.mjs', '--devices', '4', '--commands', '3', '--url', edge.url);
    const receipts = lines.filter((line) => line.startsWith('  '));
    expect(lines.filter((line) => line.startsWith('command '))).toHaveLength(3);
    expect(receipts).toHaveLength(12);
    for (const receipt of receipts) expect(receipt).toMatch(/^ {2}valve-0[1-4] (processed|failed \(valve stuck\))$/);
  });

  it('fleet-feedback, in one command: two replicas process every report the fleet published, each once', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const lines = await run('fleet-feedback/run.mjs', '--devices', '4', '--reports', '3', '--url', edge.url);
    const [summary, ...reversed] = [...lines].reverse();
    expect(summary).toMatch(/^12 reports published, 12 processed: replica-a \d+, replica-b \d+$/);
    const ids = reversed.map((line) => line.split(' ')[1]);
    expect(new Set(ids).size).toBe(12);
    expect(reversed.every((line) => /^replica-[ab] \d+-\d+ pump-00[1-4] (report|fault)$/.test(line))).toBe(true);
  });

  it('picture-frame: one command puts a picture in every open frame, drawn in the page with nothing fetched from elsewhere', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const server = spawnTracked(process.execPath, [example('picture-frame/frame.mjs'), '--port', '0', '--url', edge.url], { stdio: ['ignore', 'pipe', 'inherit'] });
    const browser = await launchChromium();
    try {
      const frameUrl = await new Promise<string>((resolve) =>
        createInterface({ input: server.stdout! }).on('line', (line) => {
          const url = /http:\/\/localhost:\d+/.exec(line)?.[0];
          if (url) resolve(url.replace('localhost', '127.0.0.1'));
        }),
      );
      const origins = new Set<string>();
      const open = async (): Promise<Page> => {
        const page = await browser.newPage();
        page.on('request', (request) => origins.add(new URL(request.url()).origin));
        await page.goto(frameUrl);
        await expect.poll(() => page.textContent('#state'), { timeout: 10_000 }).toBe('open');
        return page;
      };
      const frames = [await open(), await open()];
      const shown = () => Promise.all(frames.map(async (page) => [await page.textContent('#keyword'), await page.innerHTML('#picture')] as const));

      expect(await run('picture-frame/frame.mjs', 'show', 'sunset', '--url', edge.url)).toEqual([expect.stringMatching(/^showing "sunset" \(\d+-\d+\) in every open frame$/)]);
      await expect.poll(async () => (await shown()).map(([keyword]) => keyword)).toEqual(['sunset', 'sunset']);
      const [sunset, sameSunset] = (await shown()).map(([, picture]) => picture);
      expect(sunset).toMatch(/^<svg /);
      expect(sameSunset).toBe(sunset);

      await run('picture-frame/frame.mjs', 'show', 'paper', 'boats', '--url', edge.url);
      await expect.poll(async () => (await shown()).map(([keyword]) => keyword)).toEqual(['paper boats', 'paper boats']);
      const boats = await frames[0]!.innerHTML('#picture');
      expect(boats).not.toBe(sunset);
      const late = await open(); // a frame opened now shows the newest picture
      await expect.poll(() => late.textContent('#keyword')).toBe('paper boats');
      expect(await late.innerHTML('#picture')).toBe(boats);
      expect([...origins].sort()).toEqual([frameUrl, new URL(edge.url).origin].sort());

      await expect(run('picture-frame/frame.mjs', 'show', '<img src=x>', '--url', edge.url)).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/keyword is 1 to 40 letters/) });
    } finally {
      await browser.close();
      await stopProcess(server);
    }
  });
});
