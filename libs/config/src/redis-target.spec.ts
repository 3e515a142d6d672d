import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { maskPassword, parseRedisUrl } from './redis-target.js';

describe('parseRedisUrl', () => {
  it.each([
    ['redis://127.0.0.1:6379', { kind: 'standalone', url: 'redis://127.0.0.1:6379' }],
    ['rediss://:pw@cache.example.com:6380/2', { kind: 'standalone', url: 'rediss://:pw@cache.example.com:6380/2' }],
    ['redis://localhost', { kind: 'standalone', url: 'redis://localhost' }],
    ['Redis://[::1]:6379?family=6', { kind: 'standalone', url: 'Redis://[::1]:6379?family=6' }],
    [
      'redis-cluster://10.0.0.1:7000,10.0.0.2:7001',
      { kind: 'cluster', nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }], tls: false },
    ],
    ['redis-cluster://node-a', { kind: 'cluster', nodes: [{ host: 'node-a', port: 6379 }], tls: false }],
    [
      'rediss-cluster://:p%40ss@a:1,[::1]:2/',
      { kind: 'cluster', nodes: [{ host: 'a', port: 1 }, { host: '::1', port: 2 }], password: 'p@ss', tls: true },
    ],
    ['REDIS-CLUSTER://default:pw@a:1', { kind: 'cluster', nodes: [{ host: 'a', port: 1 }], password: 'pw', tls: false }],
  ])('accepts %s', (url, target) => {
    expect(parseRedisUrl(url)).toEqual(target);
  });

  it.each([
    ['http://localhost:6379', "invalid Redis URL 'http://localhost:6379': must start with redis://, rediss://, redis-cluster:// or rediss-cluster://"],
    ['localhost:6379', "invalid Redis URL 'localhost:6379': must start with redis://, rediss://, redis-cluster:// or rediss-cluster://"],
    ['not a url', "invalid Redis URL 'not a url': must start with redis://, rediss://, redis-cluster:// or rediss-cluster://"],
    ['redis://h:99999', "invalid Redis URL 'redis://h:99999': is not a valid URL; the form is redis://[:password@]host[:port][/db]"],
    ['redis://', "invalid Redis URL 'redis://': names no host"],
    ['redis://h:1/keys', "invalid Redis URL 'redis://h:1/keys': the path may only be a database number, as in redis://host:6379/0"],
    ['redis-cluster://', "invalid Redis URL 'redis-cluster://': cluster node '' is not host:port"],
    ['redis-cluster://a:1,,b:2', "invalid Redis URL 'redis-cluster://a:1,,b:2': cluster node '' is not host:port"],
    ['redis-cluster://a:1,b:99999', "invalid Redis URL 'redis-cluster://a:1,b:99999': cluster node 'b:99999' has a port outside 1..65535"],
    ['redis-cluster://a:1/0', "invalid Redis URL 'redis-cluster://a:1/0': a cluster URL takes no database, path or query: redis-cluster://h1:p1,h2:p2"],
    ['redis-cluster://secret@a:1', "invalid Redis URL 'redis-cluster://***@a:1': credentials must be written :password@ (or default:password@)"],
    [
      'redis-cluster://app:secret@a:1',
      "invalid Redis URL 'redis-cluster://app:***@a:1': ACL user names are not supported in cluster URLs; use :password@",
    ],
  ])('rejects %s', (url, line) => {
    const error = catchConfigError(() => parseRedisUrl(url));
    expect(error.issues).toEqual([line]);
  });
});

describe('maskPassword', () => {
  it.each([
    ['redis://:secret@h:1', 'redis://:***@h:1'],
    ['redis://user:secret@h:1/0', 'redis://user:***@h:1/0'],
    ['redis-cluster://:s@cret@a:1,b:2', 'redis-cluster://:***@a:1,b:2'],
    ['redis://token@h', 'redis://***@h'],
    ['redis://h:1/0?name=a@b', 'redis://h:1/0?name=a@b'],
    ['redis://h:1', 'redis://h:1'],
  ])('%s → %s', (url, masked) => {
    expect(maskPassword(url)).toBe(masked);
  });
});

function catchConfigError(f: () => unknown): ConfigError {
  try {
    f();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
