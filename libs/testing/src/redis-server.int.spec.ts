import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { redisCommand } from './redis-command.js';
import { startRedisServer, useOrStartRedis } from './redis-server.js';

const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

describe('startRedisServer', () => {
  it('starts a server that answers PING on its URL, and stop() frees the port', async () => {
    const redis = await startRedisServer();
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(redis.pid).toBeGreaterThan(0);
    expect(await redisCommand(redis.port, 'PING')).toBe('PONG');
    expect(await canListen(redis.port)).toBe(false);

    await redis.stop();
    await expect(redisCommand(redis.port, 'PING')).rejects.toThrow();
    expect(await canListen(redis.port)).toBe(true);
    await redis.stop(); // idempotent
  });

  it('runs in memory only, with extra arguments applied', async () => {
    const redis = await startRedisServer({ args: ['--maxmemory-policy', 'noeviction', '--databases', '4'] });
    try {
      expect(await redisCommand(redis.port, 'CONFIG', ['GET', 'save'])).toEqual(['save', '']);
      expect(await redisCommand(redis.port, 'CONFIG', ['GET', 'appendonly'])).toEqual(['appendonly', 'no']);
      expect(await redisCommand(redis.port, 'CONFIG', ['GET', 'databases'])).toEqual(['databases', '4']);
    } finally {
      await redis.stop();
    }
  });

  it('kill9() crashes the server', async () => {
    const redis = await startRedisServer();
    redis.kill9();
    await expect.poll(() => canListen(redis.port), { timeout: 10_000 }).toBe(true);
    await redis.stop();
  });

  it('says how to get redis-server when it is not on PATH', async () => {
    const path = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      await expect(startRedisServer()).rejects.toThrow(/redis-server is not on PATH .*apt-get install redis-server.*REDIS_URL/);
    } finally {
      process.env['PATH'] = path;
    }
  });

  it('rejects with the reason when redis-server refuses its arguments', async () => {
    await expect(startRedisServer({ args: ['--no-such-option', 'x'] })).rejects.toThrow(/exited \(code 1\) before answering PING[\s\S]*no-such-option/);
  });
});

describe('useOrStartRedis', () => {
  const saved = process.env['REDIS_URL'];
  afterEach(() => {
    if (saved === undefined) delete process.env['REDIS_URL'];
    else process.env['REDIS_URL'] = saved;
  });

  it('starts a server of its own when REDIS_URL is not set', async () => {
    delete process.env['REDIS_URL'];
    const redis = await useOrStartRedis();
    try {
      expect(await redisCommand(redis.port, 'PING')).toBe('PONG');
    } finally {
      await redis.stop();
    }
  });

  it('hands out the server named by REDIS_URL and never stops it', async () => {
    const server = await startRedisServer();
    try {
      process.env['REDIS_URL'] = server.url;
      const handle = await useOrStartRedis();
      expect(handle).toMatchObject({ url: server.url, port: server.port });
      expect(handle.pid).toBeNaN();
      await handle.stop();
      expect(() => handle.kill9()).toThrow(/external Redis/);
      expect(await redisCommand(server.port, 'PING')).toBe('PONG');
    } finally {
      await server.stop();
    }
  });
});
