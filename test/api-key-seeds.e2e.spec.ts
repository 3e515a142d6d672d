import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EdgeProcess, makeTempDir, type RedisServer, redisCommand, startEdge, useOrStartRedis } from '@tidings/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ADMIN = 'an-admin-token-that-is-long-enough-for-tests';
const newKey = () => `tk_${randomBytes(8).toString('hex')}.${randomBytes(32).toString('base64url')}`;
const PUBLISHER = newKey();
const READER = newKey();
const EDGE_MAIN = new URL('../services/edge/dist/main.js', import.meta.url).pathname;

let redis: RedisServer;
let edge: EdgeProcess;
let dir: string;

function seedFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const publishWith = (key: string, channel: string) =>
  fetch(`${edge.url}/v1/channels/${encodeURIComponent(channel)}/events`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: 'seeded' });

beforeAll(async () => {
  redis = await useOrStartRedis();
  dir = makeTempDir('tidings-seeds-');
  const file = seedFile('keys.json', {
    keys: [
      { name: 'billing', key: PUBLISHER, publish: ['billing/#'] },
      { name: 'dashboard', key: READER, subscribe: ['billing/#'] },
    ],
  });
  edge = await startEdge({ redisUrl: redis.url, anonymous: false, env: { TIDINGS_AUTH_ADMIN_TOKEN: ADMIN }, args: ['--auth-api-keys-file', file] });
});

afterAll(async () => {
  await edge?.stop();
  await redis?.stop();
});

describe('API keys seeded from a file', () => {
  it('accepts the seeded keys with the grants the file gives them', async () => {
    expect((await publishWith(PUBLISHER, 'billing/invoices')).status).toBe(201);
    const refused = await publishWith(PUBLISHER, 'other/channel');
    expect(refused.status).toBe(403);
    expect((await publishWith(READER, 'billing/invoices')).status).toBe(403);
  });

  it('stores only a hash of each secret, and lists the keys through the admin API', async () => {
    const stored = JSON.stringify(await redisCommand(redis.port, 'HVALS', ['tidings:{apikeys}']));
    for (const key of [PUBLISHER, READER]) {
      expect(stored).toContain(key.slice(3, 19)); // the id
      expect(stored).not.toContain(key.split('.')[1]); // never the secret
    }
    const listed = (await (await fetch(`${edge.url}/v1/admin/keys`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { keys: { name: string }[] };
    expect(listed.keys.map((k) => k.name).sort()).toEqual(['billing', 'dashboard']);
  });

  it('keeps a revocation across restarts that seed the same file again', async () => {
    const id = PUBLISHER.slice(3, 19);
    expect((await fetch(`${edge.url}/v1/admin/keys/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(200);
    const file = seedFile('again.json', { keys: [{ name: 'billing', key: PUBLISHER, publish: ['billing/#'] }] });
    const again = await startEdge({ redisUrl: redis.url, anonymous: false, args: ['--auth-api-keys-file', file] });
    try {
      const res = await fetch(`${again.url}/v1/channels/billing%2Fx/events`, { method: 'POST', headers: { authorization: `Bearer ${PUBLISHER}` }, body: 'x' });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'TIDINGS_UNAUTHORIZED', message: 'this API key was revoked' } });
    } finally {
      await again.stop();
    }
  });

  it.each([
    ['a file that is not JSON', 'not json', /is not JSON/],
    ['a key that is not a key', { keys: [{ name: 'x', key: 'hunter2', publish: ['a'] }] }, /keys\[0\]: key must look like tk_/],
    ['a key granting nothing', { keys: [{ name: 'x', key: newKey() }] }, /keys\[0\]: a key must grant something/],
    ['an unknown field', { keys: [{ name: 'x', key: newKey(), publish: ['a'], admin: true }] }, /keys\[0\]: unknown key "admin"/],
    ['a bad channel pattern', { keys: [{ name: 'x', key: newKey(), publish: ['a/#/b'] }] }, /keys\[0\]/],
    ['one key listed twice', { keys: [{ name: 'x', key: PUBLISHER, publish: ['a'] }, { name: 'y', key: PUBLISHER, publish: ['b'] }] }, /keys\[1\]: key id .* is listed twice/],
  ])('refuses to start on %s, naming the problem (exit 2), and writes nothing', async (_what, content, message) => {
    const before = await redisCommand(redis.port, 'HLEN', ['tidings:{apikeys}']);
    const file = seedFile(`bad-${randomBytes(4).toString('hex')}.json`, content);
    const run = spawnSync(process.execPath, [EDGE_MAIN, '--port', '0', '--host', '127.0.0.1', '--redis', redis.url, '--allow-anonymous', '--auth-api-keys-file', file], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toContain(PUBLISHER.split('.')[1]);
    expect(await redisCommand(redis.port, 'HLEN', ['tidings:{apikeys}'])).toBe(before);
  });
});
