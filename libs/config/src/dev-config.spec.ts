import { describe, expect, it } from 'vitest';
import { loadDevConfig } from './dev-config.js';
import { type Env, configIssues } from './spec-support/config-assertions.js';

const issuesOf = (argv: string[], env: Env = {}) => configIssues(loadDevConfig, argv, env);

describe('loadDevConfig', () => {
  it('defaults to two edges from port 8080, one worker and an embedded Redis', () => {
    expect(loadDevConfig([], {})).toEqual({ port: 8080, redis: null, edges: 2, workers: 1, engine: 'auto' });
  });

  it('reads --edges / TIDINGS_DEV_EDGES, --port / PORT and --redis / REDIS_URL, flags first', () => {
    expect(loadDevConfig(['--edges=4', '--port', '9000'], { TIDINGS_DEV_EDGES: '3', PORT: '7000', REDIS_URL: 'redis://r:1' })).toEqual({
      port: 9000,
      redis: { kind: 'standalone', url: 'redis://r:1' },
      edges: 4,
      workers: 1,
      engine: 'auto',
    });
  });

  it('reads --workers / TIDINGS_DEV_WORKERS, flags first; 0 runs no worker', () => {
    expect(loadDevConfig(['--workers', '3'], { TIDINGS_DEV_WORKERS: '2' }).workers).toBe(3);
    expect(loadDevConfig([], { TIDINGS_DEV_WORKERS: '4' }).workers).toBe(4);
    expect(loadDevConfig(['--workers=0'], {}).workers).toBe(0);
  });

  it('chooses the engine: auto, redis or memory', () => {
    expect(loadDevConfig(['--engine', 'memory'], {}).engine).toBe('memory');
    expect(loadDevConfig([], { TIDINGS_DEV_ENGINE: 'redis' }).engine).toBe('redis');
    expect(issuesOf(['--engine', 'sqlite'])).toEqual(["--engine (TIDINGS_DEV_ENGINE): must be one of auto, redis, memory, got 'sqlite'"]);
  });

  it('lets edge variables through to the edges it starts', () => {
    expect(loadDevConfig([], { TIDINGS_LIMITS_MAX_BATCH: '5', TIDINGS_ALLOW_ANONYMOUS: '1' }).edges).toBe(2);
  });

  it.each<[string, string[], Record<string, string>, string[]]>([
    ['too many edges', ['--edges', '9'], {}, ["--edges (TIDINGS_DEV_EDGES): must be an integer 1..8, got '9'"]],
    ['no edges', [], { TIDINGS_DEV_EDGES: '0' }, ["--edges (TIDINGS_DEV_EDGES): must be an integer 1..8, got '0'"]],
    ['port 0 (edges need consecutive ports)', ['--port=0'], {}, ["--port (PORT): must be an integer 1..65535, got '0'"]],
    ['ports past 65535', ['--port=65535', '--edges=3'], {}, ["--port (PORT): with 3 edges the last would listen on 65537; use a port up to 65533, got '65535'"]],
    ['too many workers', ['--workers', '5'], {}, ["--workers (TIDINGS_DEV_WORKERS): must be an integer 0..4, got '5'"]],
    ['a negative number of workers', [], { TIDINGS_DEV_WORKERS: '-1' }, ["--workers (TIDINGS_DEV_WORKERS): must be an integer 0..4, got '-1'"]],
    ['an edge-only flag', ['--allow-anonymous'], {}, ['--allow-anonymous: unknown flag']],
    ['an unknown TIDINGS_DEV_ variable', [], { TIDINGS_DEV_EDGE: '3' }, ['TIDINGS_DEV_EDGE: unknown environment variable (did you mean TIDINGS_DEV_EDGES?)']],
    ['a bad Redis URL', ['--redis', 'localhost'], {}, ["--redis (REDIS_URL): must start with redis://, rediss://, redis-cluster:// or rediss-cluster://, got 'localhost'"]],
  ])('rejects %s', (_name, argv, env, lines) => {
    expect(issuesOf(argv, env)).toEqual(lines);
  });
});
