import { describe, expect, it } from 'vitest';
import { nchanConfig } from './nchan-config.js';

describe('nchanConfig', () => {
  const text = nchanConfig({ dir: '/tmp/x', port: 41234, redisUrl: 'redis://127.0.0.1:6390', workers: 2, workerConnections: 9000, channel: 'bench' });

  it('listens on loopback only, on the given port, and keeps every file in its own directory', () => {
    expect(text.match(/^\s*listen .*$/gm)).toEqual(['    listen 127.0.0.1:41234 backlog=4096 reuseport;']);
    for (const line of text.split('\n').filter((l) => /(_path|pid|error_log) /.test(l))) expect(line).toContain('/tmp/x/');
    expect(text).toContain('daemon off;');
  });

  it('runs Nchan in its Redis mode with EventSource and WebSocket subscribers on one channel', () => {
    expect(text).toContain('nchan_redis_server "redis://127.0.0.1:6390";');
    expect(text.match(/nchan_redis_pass bench_redis;/g)).toHaveLength(2);
    expect(text).toContain('nchan_subscriber eventsource websocket;');
    expect(text.match(/nchan_channel_id bench;/g)).toHaveLength(2);
  });

  it('lets each worker open more files than it holds connections', () => {
    expect(text).toContain('worker_connections 9000;');
    expect(text).toContain('worker_rlimit_nofile 10000;');
  });
});
