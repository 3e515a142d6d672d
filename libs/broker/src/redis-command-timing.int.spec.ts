import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, type RedisClient } from './redis-client.js';
import { timeRedisCommands } from './redis-command-timing.js';
import { REDIS_BACKENDS } from './spec-support/redis-backends.js';

const recorder = () => {
  const took: string[] = [];
  const failed: string[] = [];
  const observer = {
    took: (command: string, seconds: number) => {
      expect(seconds).toBeGreaterThanOrEqual(0);
      took.push(command);
    },
    failed: (command: string) => void failed.push(command),
  };
  return { took, failed, observer };
};
const count = (names: string[]) => names.reduce<Record<string, number>>((counts, name) => ({ ...counts, [name]: (counts[name] ?? 0) + 1 }), {});

describe.each(REDIS_BACKENDS)('Redis command timing on $name', (backend) => {
  let stopBackend: () => Promise<void>;
  const clients: RedisClient[] = [];
  let target: Awaited<ReturnType<typeof backend.start>>['target'];

  beforeAll(async () => {
    ({ target, stop: stopBackend } = await backend.start());
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit()));
    await stopBackend();
  });

  const watched = (sampleEvery: number) => {
    const client = createRedisClient(target, 'command-timing-spec');
    clients.push(client);
    const recorded = recorder();
    timeRedisCommands(client, recorded.observer, sampleEvery);
    return { client, recorder: recorded };
  };

  it('names each command once, scripts by their defined name, and counts only real errors', async () => {
    const { client, recorder } = watched(1);
    const key = `timing:${process.pid}:{a}`;
    // Sent before the connection is ready: queued, then sent again by the client, observed once.
    await client.set(key, 'not a number');
    await client.get(key);
    await expect(client.incr(key)).rejects.toThrow(/not an integer/);
    // The first call of a script on a fresh connection is answered NOSCRIPT and sent again in full.
    await client.tidingsZremIfScore(`${key}:set`, 'member', '1');
    await client.tidingsZremIfScore(`${key}:set`, 'member', '1');
    await client.pipeline().get(key).exists(key).exec();

    // The connection's own setup commands (CLIENT SETNAME, INFO) are timed too; these are ours.
    expect(count(recorder.took)).toMatchObject({ set: 1, get: 2, tidingsZremIfScore: 2, exists: 1 });
    expect(recorder.took).not.toContain('incr');
    expect(recorder.took.some((command) => command === 'evalsha' || command === 'eval' || command === 'script')).toBe(false);
    expect(recorder.failed).toEqual(['incr']);
  });

  it('times one command in `sampleEvery` and still counts every error', async () => {
    const { client, recorder } = watched(4);
    const key = `timing:${process.pid}:{b}`;
    await client.set(key, 'x');
    const before = recorder.took.length;
    for (let i = 0; i < 40; i++) await client.get(key);
    for (let i = 0; i < 3; i++) await expect(client.incr(key)).rejects.toThrow();
    expect(recorder.took.length - before).toBe(10);
    expect(recorder.failed).toEqual(['incr', 'incr', 'incr']);
  });
});
