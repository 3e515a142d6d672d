import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { join } from 'node:path';
import { type EdgeProcess, type RedisServer, SseClient, makeTempDir, startEdge, useOrStartRedis, waitUntil } from '@tidings/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publish } from './support.js';

// `tidings edge --processes N`: N edge processes on one port under a supervisor.

const EDGE_MAIN = new URL('../services/edge/dist/main.js', import.meta.url).pathname;

let redis: RedisServer;

beforeAll(async () => {
  redis = await useOrStartRedis();
});

afterAll(async () => {
  await redis.stop();
});

const startGroup = (node: string, args: readonly string[] = []) => startEdge({ redisUrl: redis.url, args: ['--processes', '2', '--node-id', node, ...args] });

/** A GET on a connection of its own, so that the kernel picks a member for it afresh. */
const getOnNewConnection = (url: string) => getOn(false, url);

/** A kept-alive connection that reached `member`: the next requests on it go to that member. */
async function connectionTo(edge: EdgeProcess, member: string): Promise<Agent> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const { body } = await getOn(agent, `${edge.url}/healthz`);
    if ((JSON.parse(body) as { node: string }).node === member) return agent;
    agent.destroy();
  }
  throw new Error(`200 connections never reached ${member}`);
}

function getOn(agent: Agent | false, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).once('error', reject);
  });
}

/** Which member answered /healthz on a new connection. */
const healthzNode = async (edge: EdgeProcess): Promise<string> => (JSON.parse((await getOnNewConnection(`${edge.url}/healthz`)).body) as { node: string }).node;

/** The members as the supervisor logged them on becoming ready, in that order (a restart adds a line). */
function readyMembers(edge: EdgeProcess): { member: string; memberPid: number }[] {
  return edge.logs
    .filter((line) => line.includes('"edge process ready"'))
    .map((line) => JSON.parse(line) as { member: string; memberPid: number });
}

/** `name{labels} value` lines of one metric, as labels → value. */
function series(text: string, name: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(name.length, space), Number(line.slice(space + 1)));
  }
  return values;
}

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
};

/** SSE connections to the group until both members hold some (each a new TCP connection). */
async function connectionsOnBothMembers(edge: EdgeProcess, channel: string): Promise<SseClient[]> {
  const clients: SseClient[] = [];
  const members = () => new Set(clients.map((client) => client.headers['x-tidings-node']));
  while (clients.length < 16 || members().size < 2) {
    if (clients.length >= 200) throw new Error(`200 connections all reached ${[...members()].join(', ')}`);
    clients.push(await SseClient.connect(`${edge.url}/v1/sse?channel=${channel}`));
  }
  return clients;
}

describe('tidings edge --processes 2', () => {
  it('spreads connections over both members, named <node>-<n>, and delivers an event to subscribers on both', async () => {
    const group = await startGroup('spread');
    const clients = await connectionsOnBothMembers(group, 'group/spread');
    expect(new Set(clients.map((client) => client.headers['x-tidings-node']))).toEqual(new Set(['spread-1', 'spread-2']));
    const id = await publish(group, 'group/spread', 'to everyone');
    for (const client of clients) expect((JSON.parse((await client.waitFor(1))[0]!.data) as { id: string }).id).toBe(id);
    for (const client of clients) client.close();
    await group.stop();
  });

  it('answers /metrics for the whole group, whichever member takes the scrape', async () => {
    const group = await startGroup('metrics');
    const clients = await connectionsOnBothMembers(group, 'group/metrics');
    const perMember = (node: string) => clients.filter((client) => client.headers['x-tidings-node'] === node).length;
    for (let scrape = 0; scrape < 8; scrape++) {
      const { status, body } = await getOnNewConnection(`${group.url}/metrics`);
      expect(status).toBe(200);
      const sse = series(body, 'tidings_edge_connections');
      expect(sse.get('{transport="sse",node="metrics-1"}')).toBe(perMember('metrics-1'));
      expect(sse.get('{transport="sse",node="metrics-2"}')).toBe(perMember('metrics-2'));
      expect([...sse.values()].reduce((sum, value) => sum + value, 0)).toBe(clients.length);
      expect(series(body, 'tidings_edge_group_processes').get('{node="metrics"}')).toBe(2);
    }
    for (const client of clients) client.close();
    await group.stop();
  });

  it('answers /metrics without a member that does not hand in its metrics, and says so', async () => {
    const group = await startGroup('stuck');
    const onFirst = await connectionTo(group, 'stuck-1');
    const stuck = readyMembers(group).find((m) => m.member === 'stuck-2')!.memberPid;
    process.kill(stuck, 'SIGSTOP');
    try {
      const { status, body } = await getOn(onFirst, `${group.url}/metrics`);
      expect(status).toBe(200);
      expect(body).toContain('node="stuck-1"');
      expect(body).not.toContain('node="stuck-2"');
      expect(series(body, 'tidings_edge_group_scrape_timeouts_total').get('{node="stuck"}')).toBe(1);
      expect(group.logs.join('\n')).toMatch(/"missing":\["stuck-2"\].*answered \/metrics without the edge processes that did not hand in theirs in time/);
    } finally {
      process.kill(stuck, 'SIGCONT');
      onFirst.destroy();
    }
    await group.stop();
  });

  it('answers a scrape with 503, not a hang, when the supervisor does not answer', async () => {
    const group = await startGroup('paused');
    process.kill(group.pid, 'SIGSTOP');
    try {
      const { status, body } = await getOnNewConnection(`${group.url}/metrics`);
      expect(status).toBe(503);
      expect(JSON.parse(body)).toMatchObject({ error: { code: 'TIDINGS_UNAVAILABLE' } });
    } finally {
      process.kill(group.pid, 'SIGCONT');
    }
    // Back, it answers for the group again. (This also keeps SIGTERM away from the instant after
    // SIGCONT, when Node 20 can still take a signal's default action: exit by SIGTERM, not 0.)
    expect((await getOnNewConnection(`${group.url}/metrics`)).status).toBe(200);
    await group.stop();
    expect(await group.exited).toBe(0);
  });

  it('shows each member as a node of the cluster', async () => {
    const group = await startGroup('nodes');
    const nodes = async () => ((await (await fetch(`${group.url}/v1/admin/nodes`)).json()) as { nodes: { node: string; alive: boolean }[] }).nodes;
    await waitUntil(async () => (await nodes()).filter((n) => n.node.startsWith('nodes-') && n.alive).length === 2, 'both members to report');
    expect((await nodes()).filter((n) => n.node.startsWith('nodes-')).map((n) => n.node).sort()).toEqual(['nodes-1', 'nodes-2']);
    await group.stop();
  });

  it('restarts a member killed with -9 while the other keeps the port answering', async () => {
    const group = await startGroup('crash');
    const victim = readyMembers(group).find((m) => m.member === 'crash-1')!;
    process.kill(victim.memberPid, 'SIGKILL');
    await waitUntil(() => group.logs.some((line) => line.includes('"edge process ended unexpectedly"')), 'the supervisor to see the crash');
    // The dead member's listening socket went with it: every new connection is answered, by whichever member is up.
    for (let i = 0; i < 8; i++) expect((await getOnNewConnection(`${group.url}/healthz`)).status).toBe(200);
    await waitUntil(() => readyMembers(group).filter((m) => m.member === 'crash-1').length === 2, 'crash-1 to be restarted');
    const restarted = readyMembers(group).filter((m) => m.member === 'crash-1')[1]!;
    expect(restarted.memberPid).not.toBe(victim.memberPid);
    expect(isRunning(restarted.memberPid)).toBe(true);
    const seen = new Set<string>();
    for (let i = 0; i < 200 && seen.size < 2; i++) seen.add(await healthzNode(group));
    expect(seen).toEqual(new Set(['crash-1', 'crash-2']));
    expect(series((await getOnNewConnection(`${group.url}/metrics`)).body, 'tidings_edge_group_restarts_total').get('{node="crash"}')).toBe(1);
    await group.stop();
    expect(await group.exited).toBe(0);
  });

  it('drains every member on SIGTERM and exits 0', async () => {
    const group = await startGroup('drain', ['--sse-retry-ms', '60000']);
    const clients = await connectionsOnBothMembers(group, 'group/drain');
    const members = readyMembers(group).map((m) => m.memberPid);
    await group.stop();
    await Promise.all(clients.map((client) => client.closed));
    expect(clients.every((client) => client.retryMs! < 60000)).toBe(true); // each member's drain sent its jittered retry
    expect(await group.exited).toBe(0);
    expect(members.filter(isRunning)).toEqual([]);
    expect(group.logs.filter((line) => line.includes('"msg":"stopped"'))).toHaveLength(3); // two members, then the supervisor
  });

  it('leaves no member behind when the supervisor itself is killed with -9', async () => {
    const group = await startGroup('orphans');
    const members = readyMembers(group).map((m) => m.memberPid);
    group.kill9();
    await waitUntil(() => !members.some(isRunning), 'the members to drain and exit');
    // The port is free again: a lone edge can hold it.
    const lone = await startEdge({ redisUrl: redis.url, port: group.port });
    await lone.stop();
  });

  it('gives up, with a clear error, on a member that keeps failing to start', async () => {
    const dir = makeTempDir('tidings-processes-');
    const keyFile = join(dir, 'key.pem');
    writeFileSync(keyFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }));
    const group = await startGroup('doomed', ['--auth-jwt-public-key-file', keyFile]);
    rmSync(keyFile); // every restart of a member now fails at start
    process.kill(readyMembers(group).find((m) => m.member === 'doomed-2')!.memberPid, 'SIGKILL');
    expect(await group.exited).toBe(1);
    const output = group.logs.join('\n');
    expect(output).toMatch(/tidings edge: edge process doomed-2 ended before it was ready 5 times in a row \(last: exit code 2\); giving up/);
    expect(output).toMatch(/--auth-jwt-public-key-file .* cannot be read/);
    expect(readyMembers(group).map((m) => m.memberPid).filter(isRunning)).toEqual([]);
  });
});

describe('one port, one edge (or one group)', () => {
  it('refuses a second single-process edge on a port a group holds, loudly', async () => {
    const group = await startGroup('holder');
    const run = spawnSync(process.execPath, [EDGE_MAIN, '--port', String(group.port), '--host', '127.0.0.1', '--redis', redis.url, '--allow-anonymous'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/could not listen on 127\.0\.0\.1:\d+: the port is in use .*--processes N/);
    // The group never noticed.
    expect(readyMembers(group)).toHaveLength(2);
    await group.stop();
  });

  it('refuses a second single-process edge on a port a single edge holds', async () => {
    const lone = await startEdge({ redisUrl: redis.url });
    const run = spawnSync(process.execPath, [EDGE_MAIN, '--port', String(lone.port), '--host', '127.0.0.1', '--redis', redis.url, '--allow-anonymous'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/the port is in use/);
    await lone.stop();
  });

  it('refuses a second group on the same port, and a group on a port a single edge holds', async () => {
    const group = await startGroup('first');
    const second = spawnSync(process.execPath, [EDGE_MAIN, '--port', String(group.port), '--host', '127.0.0.1', '--redis', redis.url, '--allow-anonymous', '--processes', '2'], {
      encoding: 'utf8',
    });
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/another edge group already runs on 127\.0\.0\.1:\d+/);
    await group.stop();

    const lone = await startEdge({ redisUrl: redis.url });
    const beside = spawnSync(process.execPath, [EDGE_MAIN, '--port', String(lone.port), '--host', '127.0.0.1', '--redis', redis.url, '--allow-anonymous', '--processes', '2'], {
      encoding: 'utf8',
    });
    expect(beside.status).toBe(1);
    expect(beside.stderr).toMatch(/could not listen on 127\.0\.0\.1:\d+ next to the other processes of this edge/);
    expect(beside.stderr).toMatch(/ended before it was ready .*; the group does not start/);
    await lone.stop();
  });

  it.each([
    ['--processes 0', ['--processes', '0'], {}, "--processes (TIDINGS_PROCESSES): must be an integer 1..256 or auto, got '0'"],
    ['TIDINGS_PROCESSES=many', [], { TIDINGS_PROCESSES: 'many' }, "--processes (TIDINGS_PROCESSES): must be an integer 1..256 or auto, got 'many'"],
  ])('refuses %s as a configuration error', (_name, args, env, message) => {
    const run = spawnSync(process.execPath, [EDGE_MAIN, '--port', '0', '--redis', redis.url, '--allow-anonymous', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('tidings edge: invalid configuration');
    expect(run.stderr).toContain(message);
  });
});
