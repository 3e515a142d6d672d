// The client side of the `tidings` command against a running edge: what a user types, what they
// read back, and the exit code a script can rely on (0 done, 1 failed, 2 usage).
import { fileURLToPath } from 'node:url';
import { type EdgeProcess, exitOf, freePort, spawnTracked, stopProcess, waitUntil } from '@tidings/testing';
import { describe, expect, it } from 'vitest';
import { edgesOnRedis, publishMany } from './support.js';

const TIDINGS = fileURLToPath(new URL('../services/cli/bin/tidings.js', import.meta.url));
const cluster = edgesOnRedis(1);

/** Runs `tidings …`; its stdout and stderr kept apart. */
function tidings(args: string[]) {
  const child = spawnTracked(process.execPath, [TIDINGS, ...args], { env: { ...process.env, TIDINGS_URL: '' } });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  return { child, stdout: () => out.join(''), stderr: () => err.join('') };
}

describe('the tidings client commands', () => {
  it('subscribe --since 0 prints the channel from its oldest retained event', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const ids = await publishMany(edge, 'cli/since-zero', 3);
    const sub = tidings(['subscribe', 'cli/since-zero', '--since', '0', '--url', edge.url]);
    await waitUntil(() => sub.stdout().split('\n').length > 3, 'the three events to be printed');
    await stopProcess(sub.child);
    const printed = sub.stdout().trim().split('\n').map((line) => (JSON.parse(line) as { id: string }).id);
    expect(printed).toEqual(ids);
  });

  it('subscribe refused by the edge says why in one line and exits 1', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const sub = tidings(['subscribe', 'cli/refused', '--since', 'not-a-cursor', '--url', edge.url]);
    expect(await exitOf(sub.child)).toBe(1);
    expect(sub.stderr()).toMatch(new RegExp(`^tidings subscribe: ${edge.url}: .*cursor`, 'm'));
  });

  it('publish to an edge that is not there names the request that failed and exits 1', async () => {
    const deadUrl = `http://127.0.0.1:${await freePort()}`;
    const pub = tidings(['publish', 'cli/nowhere', 'hi', '--url', deadUrl]);
    expect(await exitOf(pub.child)).toBe(1);
    expect(pub.stderr().trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^tidings publish: .*POST ${deadUrl}/v1/channels/cli%2Fnowhere/events: .*ECONNREFUSED`))]);
  });

  it('answers a usage error in one line with exit 2, and --help with exit 0 on every command', async () => {
    const missing = tidings(['consume', 'cli/x']);
    expect(await exitOf(missing.child)).toBe(2);
    expect(missing.stderr().trim()).toBe("error: required option '--group <group>' not specified");
    const badCount = tidings(['consume', 'cli/x', '--group', 'g', '--count', '0']);
    expect(await exitOf(badCount.child)).toBe(2);
    expect(badCount.stderr()).toMatch(/--count <n>.*'0' is invalid/);
    for (const command of ['edge', 'worker', 'dev', 'publish', 'subscribe', 'consume']) {
      const help = tidings([command, '--help']);
      expect(await exitOf(help.child)).toBe(0);
      expect(help.stdout()).toMatch(new RegExp(`^Usage: tidings ${command} `));
    }
    const edgeHelp = tidings(['edge', '--help']);
    await exitOf(edgeHelp.child);
    expect(edgeHelp.stdout()).toMatch(/--port <integer 0\.\.65535>\n.*Default: 8080\. Env: PORT\./);
  });
});
