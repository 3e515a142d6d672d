// The client side of the `tidings` command against a running edge: what a user types, what they
// read back, and the exit code a script can rely on (0 done, 1 failed, 2 usage).
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { type EdgeProcess, exitOf, freePort, makeTempDir, removeTempDir, SseClient, spawnTracked, stopProcess, waitUntil } from '@tidings/testing';
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

  it('publish --ack --file, then receipts and presence show the devices (JSON lines when piped)', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const member = await SseClient.connect(`${edge.url}/v1/sse?channel=cli%2Facks&device=valve-1`);
    const dir = makeTempDir('tidings-cli-');
    writeFileSync(`${dir}/command.json`, '{"command":"flush"}');
    const pub = tidings(['publish', 'cli/acks', '--file', `${dir}/command.json`, '--ack', '--event', 'command', '--url', edge.url]);
    expect(await exitOf(pub.child)).toBe(0);
    const { id } = JSON.parse(pub.stdout()) as { id: string };
    expect(JSON.parse((await member.nextEvent()).data)).toMatchObject({ event: 'command', data: { command: 'flush' }, ack: true });

    const receipts = tidings(['receipts', 'cli/acks', id, '--json', '--url', edge.url]);
    expect(await exitOf(receipts.child)).toBe(0);
    expect(JSON.parse(receipts.stdout())).toMatchObject({ device: 'valve-1', state: 'delivered' });
    const presence = tidings(['presence', 'cli/acks', '--url', edge.url]); // not a terminal: JSON
    expect(await exitOf(presence.child)).toBe(0);
    expect(JSON.parse(presence.stdout())).toMatchObject({ online: 1, devices: [expect.objectContaining({ device: 'valve-1' })] });

    const both = tidings(['publish', 'cli/acks', 'inline', '--file', `${dir}/command.json`, '--url', edge.url]);
    expect(await exitOf(both.child)).toBe(2);
    expect(both.stderr()).toMatch(/^tidings publish: give the message as an argument or with --file, not both/);
    member.close();
    removeTempDir(dir);
  });

  it('answers a usage error in one line with exit 2, and --help with exit 0 on every command', async () => {
    const missing = tidings(['consume', 'cli/x']);
    expect(await exitOf(missing.child)).toBe(2);
    expect(missing.stderr().trim()).toBe("error: required option '--group <group>' not specified");
    const badCount = tidings(['consume', 'cli/x', '--group', 'g', '--count', '0']);
    expect(await exitOf(badCount.child)).toBe(2);
    expect(badCount.stderr()).toMatch(/--count <n>.*'0' is invalid/);
    const commands = ['edge', 'worker', 'dev', 'publish', 'subscribe', 'consume', 'receipts', 'presence'];
    const helps = commands.map((command) => ({ command, run: tidings([command, '--help']) }));
    for (const { command, run } of helps) {
      expect(await exitOf(run.child)).toBe(0);
      expect(run.stdout()).toMatch(new RegExp(`^Usage: tidings ${command} `));
    }
    expect(helps[0]!.run.stdout()).toMatch(/--port <integer 0\.\.65535>\n.*Default: 8080\. Env: PORT\./); // edge's, from its config schema
  });
});
