import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { describeEdgeConfig, loadEdgeConfig } from './edge-config.js';
import { defaultNodeId } from './shared-options.js';
import { type Env, configIssues, expectOneOptionPerLeaf, optionNames } from './spec-support/config-assertions.js';

const issuesOf = (argv: string[], env: Env = {}) => configIssues(loadEdgeConfig, argv, env);

describe('loadEdgeConfig', () => {
  it('uses the documented defaults when nothing is given', () => {
    expect(loadEdgeConfig([], {})).toEqual({
      nodeId: defaultNodeId(),
      host: '0.0.0.0',
      port: 8080,
      processes: 1,
      redis: null,
      allowAnonymous: false,
      auth: {
        jwtSecret: null,
        jwtPublicKeyFile: null,
        jwksFile: null,
        issuer: null,
        audience: null,
        clockSkewSeconds: 30,
        adminToken: null,
        consoleTokenSeconds: 600,
        apiKeysFile: null,
        wsAuthSeconds: 10,
      },
      allowJsFallback: false,
      logLevel: 'info',
      retention: { maxLength: 10_000, maxAgeSeconds: 86_400 },
      limits: {
        maxBodyBytes: 65_536,
        maxFrameBytes: 65_536,
        maxJsonDepth: 32,
        maxBatch: 100,
        maxChannelsPerConnection: 64,
        maxHistoryLimit: 1000,
        slowConsumerBytes: 1_048_576,
        pollMaxTimeoutSeconds: 60,
        publishRatePerSecond: 100,
        publishBurst: 200,
        maxConnectionsPerPrincipal: 1000,
        maxConnectionsPerIp: 0,
        trustedProxies: [],
        maxTrackedChannels: 1024,
        maxDurablePatterns: 16,
        wsIdleSeconds: 120,
      },
      sse: { heartbeatSeconds: 15, retryMs: 2000 },
      membership: { idleSeconds: 86_400 },
      publish: { replicas: 0, replicaTimeoutMs: 1000 },
      presence: { ttlSeconds: 30, refreshSeconds: 10 },
      cors: { origins: ['*'] },
      shutdown: { graceSeconds: 10, closeBatchSize: 500 },
      mqtt: { port: null },
      metrics: { host: '0.0.0.0', port: null, publicRoute: 'on' },
    });
  });

  it('returns a deeply frozen object', () => {
    const config = loadEdgeConfig(['--redis', 'redis-cluster://a:1,b:2'], {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.limits)).toBe(true);
    expect(Object.isFrozen(config.cors.origins)).toBe(true);
    expect(config.redis?.kind === 'cluster' && Object.isFrozen(config.redis.nodes[0])).toBe(true);
  });

  it.each<[string, string[], Env, (c: ReturnType<typeof loadEdgeConfig>) => unknown, unknown]>([
    ['--port 0 asks for an ephemeral port', ['--port', '0'], {}, (c) => c.port, 0],
    ['--port=v and --port v both work', ['--port=9001'], {}, (c) => c.port, 9001],
    ['PORT is read from the environment', [], { PORT: '9002' }, (c) => c.port, 9002],
    ['a flag overrides its environment variable', ['--port', '9003'], { PORT: '9002' }, (c) => c.port, 9003],
    ['a repeated flag keeps its last value', ['--port', '1', '--port=2'], {}, (c) => c.port, 2],
    ['an empty variable counts as unset', [], { PORT: '', REDIS_URL: '' }, (c) => [c.port, c.redis], [8080, null]],
    ['HOST', [], { HOST: '::1' }, (c) => c.host, '::1'],
    ['--processes runs a group of edge processes', ['--processes', '4'], {}, (c) => c.processes, 4],
    ['TIDINGS_PROCESSES', [], { TIDINGS_PROCESSES: '3' }, (c) => c.processes, 3],
    ['--processes auto is the number of CPUs', ['--processes=auto'], {}, (c) => c.processes, availableParallelism()],
    ['--processes overrides TIDINGS_PROCESSES', ['--processes', '1'], { TIDINGS_PROCESSES: 'auto' }, (c) => c.processes, 1],
    ['a bare boolean flag is true', ['--allow-anonymous'], {}, (c) => c.allowAnonymous, true],
    ['TIDINGS_ALLOW_ANONYMOUS=1', [], { TIDINGS_ALLOW_ANONYMOUS: '1' }, (c) => c.allowAnonymous, true],
    ['TIDINGS_ALLOW_ANONYMOUS=true', [], { TIDINGS_ALLOW_ANONYMOUS: 'true' }, (c) => c.allowAnonymous, true],
    ['TIDINGS_ALLOW_ANONYMOUS=0', [], { TIDINGS_ALLOW_ANONYMOUS: '0' }, (c) => c.allowAnonymous, false],
    ['--allow-anonymous=false overrides the environment', ['--allow-anonymous=false'], { TIDINGS_ALLOW_ANONYMOUS: '1' }, (c) => c.allowAnonymous, false],
    ['TIDINGS_ALLOW_JS_FALLBACK', [], { TIDINGS_ALLOW_JS_FALLBACK: 'TRUE' }, (c) => c.allowJsFallback, true],
    ['--node-id', ['--node-id', 'edge-a_1.eu'], {}, (c) => c.nodeId, 'edge-a_1.eu'],
    ['LOG_LEVEL', [], { LOG_LEVEL: 'silent' }, (c) => c.logLevel, 'silent'],
    ['REDIS_URL standalone', [], { REDIS_URL: 'redis://r:6379' }, (c) => c.redis, { kind: 'standalone', url: 'redis://r:6379' }],
    [
      '--redis cluster',
      ['--redis', 'redis-cluster://a:7000,b:7001'],
      {},
      (c) => c.redis,
      { kind: 'cluster', nodes: [{ host: 'a', port: 7000 }, { host: 'b', port: 7001 }], tls: false },
    ],
    ['nested flag', ['--limits-max-body-bytes', '1024', '--limits-slow-consumer-bytes=4096'], {}, (c) => c.limits.maxBodyBytes, 1024],
    ['nested variable', [], { TIDINGS_RETENTION_MAX_AGE_SECONDS: '3600' }, (c) => c.retention.maxAgeSeconds, 3600],
    ['sse section', ['--sse-heartbeat-seconds', '5'], { TIDINGS_SSE_RETRY_MS: '500' }, (c) => c.sse, { heartbeatSeconds: 5, retryMs: 500 }],
    ['shutdown section', [], { TIDINGS_SHUTDOWN_CLOSE_BATCH_SIZE: '50' }, (c) => c.shutdown.closeBatchSize, 50],
    [
      'cors origins, comma-separated with spaces',
      ['--cors-origins', 'https://a.example, http://localhost:3000'],
      {},
      (c) => c.cors.origins,
      ['https://a.example', 'http://localhost:3000'],
    ],
    ['maxChannelsPerConnection up to what a cursor carries', ['--limits-max-channels-per-connection=256'], {}, (c) => c.limits.maxChannelsPerConnection, 256],
    [
      'variables of other commands are left alone',
      [],
      { TIDINGS_DEV_EDGES: '3', TIDINGS_WORKER_CONCURRENCY: '4', TIDINGS_URL: 'http://x', NODE_ENV: 'test' },
      (c) => c.port,
      8080,
    ],
  ])('%s', (_name, argv, env, pick, expected) => {
    expect(pick(loadEdgeConfig(argv, env))).toEqual(expected);
  });

  it.each<[string, string[], Env, string[]]>([
    ['a non-numeric port', ['--port', 'abc'], {}, ["--port (PORT): must be an integer 0..65535, got 'abc'"]],
    ['a port out of range', [], { PORT: '65536' }, ["--port (PORT): must be an integer 0..65535, got '65536'"]],
    ['a fractional port', ['--port=80.5'], {}, ["--port (PORT): must be an integer 0..65535, got '80.5'"]],
    ['a negative port', ['--port=-1'], {}, ["--port (PORT): must be an integer 0..65535, got '-1'"]],
    ['a flag without its value', ['--port'], {}, ['--port: needs a value (integer 0..65535)']],
    ['zero processes', ['--processes', '0'], {}, ["--processes (TIDINGS_PROCESSES): must be an integer 1..256 or auto, got '0'"]],
    ['more processes than allowed', [], { TIDINGS_PROCESSES: '257' }, ["--processes (TIDINGS_PROCESSES): must be an integer 1..256 or auto, got '257'"]],
    ['a word other than auto for processes', ['--processes', 'all'], {}, ["--processes (TIDINGS_PROCESSES): must be an integer 1..256 or auto, got 'all'"]],
    ['a fractional process count', [], { TIDINGS_PROCESSES: '1.5' }, ["--processes (TIDINGS_PROCESSES): must be an integer 1..256 or auto, got '1.5'"]],
    ['auto in capitals', ['--processes=AUTO'], {}, ["--processes (TIDINGS_PROCESSES): must be an integer 1..256 or auto, got 'AUTO'"]],
    ['a flag followed by another flag', ['--host', '--allow-anonymous'], {}, ['--host: needs a value (a host name or IP address)']],
    [
      'a boolean variable that is not 1/0/true/false',
      [],
      { TIDINGS_ALLOW_ANONYMOUS: 'yes' },
      ["--allow-anonymous (TIDINGS_ALLOW_ANONYMOUS): must be 1, 0, true or false, got 'yes'"],
    ],
    ['an unknown log level', ['--log-level', 'verbose'], {}, ["--log-level (LOG_LEVEL): must be one of fatal, error, warn, info, debug, trace, silent, got 'verbose'"]],
    ['a node id with a space', ['--node-id', 'edge 1'], {}, ["--node-id (TIDINGS_NODE_ID): must be 1-64 characters of A-Z a-z 0-9 _ . -, got 'edge 1'"]],
    ['a node id too long', ['--node-id', 'x'.repeat(65)], {}, [`--node-id (TIDINGS_NODE_ID): must be 1-64 characters of A-Z a-z 0-9 _ . -, got '${'x'.repeat(65)}'`]],
    ['a host with a slash', ['--host', 'a/b'], {}, ["--host (HOST): must be a host name or IP address, got 'a/b'"]],
    [
      'a Redis URL of another scheme, password masked',
      [],
      { REDIS_URL: 'http://u:hunter2@h' },
      ["--redis (REDIS_URL): must start with redis://, rediss://, redis-cluster:// or rediss-cluster://, got 'http://u:***@h'"],
    ],
    [
      'a nested value out of range names its path',
      ['--limits-max-body-bytes', '0'],
      {},
      ["--limits-max-body-bytes (TIDINGS_LIMITS_MAX_BODY_BYTES, limits.maxBodyBytes): must be an integer 1..16777216, got '0'"],
    ],
    [
      'more channels than a cursor carries',
      [],
      { TIDINGS_LIMITS_MAX_CHANNELS_PER_CONNECTION: '257' },
      ["--limits-max-channels-per-connection (TIDINGS_LIMITS_MAX_CHANNELS_PER_CONNECTION, limits.maxChannelsPerConnection): must be an integer 1..256, got '257'"],
    ],
    [
      'a slow-consumer buffer smaller than one event',
      ['--limits-max-body-bytes=100000', '--limits-slow-consumer-bytes=50000'],
      {},
      [
        "--limits-slow-consumer-bytes (TIDINGS_LIMITS_SLOW_CONSUMER_BYTES, limits.slowConsumerBytes): must be at least limits.maxBodyBytes (100000) so that one event fits a consumer's buffer, got '50000'",
      ],
    ],
    [
      'a CORS origin with a path',
      ['--cors-origins', 'https://ok.example,https://bad.example/app'],
      {},
      ["--cors-origins (TIDINGS_CORS_ORIGINS, cors.origins): must be * or origins like https://app.example.com, got 'https://bad.example/app'"],
    ],
    [
      '* mixed with origins',
      [],
      { TIDINGS_CORS_ORIGINS: '*,https://a.example' },
      ["--cors-origins (TIDINGS_CORS_ORIGINS, cors.origins): '*' allows every origin and cannot be combined with others, got '*,https://a.example'"],
    ],
    [
      'an empty origin list',
      ['--cors-origins='],
      {},
      ["--cors-origins (TIDINGS_CORS_ORIGINS, cors.origins): must list at least one value (comma-separated origins, or '*'), got ''"],
    ],
    ['zero retry', ['--sse-retry-ms', '0'], {}, ["--sse-retry-ms (TIDINGS_SSE_RETRY_MS, sse.retryMs): must be an integer 1..3600000, got '0'"]],
    ['an unknown flag, with a suggestion', ['--prot', '80'], {}, ['--prot: unknown flag (did you mean --port?)', "unexpected argument '80': options are --name=value or --name value"]],
    ['an unknown flag with no near match', ['--verbose'], {}, ['--verbose: unknown flag']],
    ['a single-dash flag', ['-p', '80'], {}, ["unexpected argument '-p': options are --name=value or --name value", "unexpected argument '80': options are --name=value or --name value"]],
    [
      'unknown TIDINGS_ variables, sorted',
      [],
      { TIDINGS_LIMITS_MAX_BATCHES: '5', TIDINGS_COLOR: 'blue' },
      ['TIDINGS_COLOR: unknown environment variable', 'TIDINGS_LIMITS_MAX_BATCHES: unknown environment variable (did you mean TIDINGS_LIMITS_MAX_BATCH?)'],
    ],
    [
      'every problem at once, argv and environment first',
      ['--port', 'x', '--nope'],
      { TIDINGS_NOPE: '1', LOG_LEVEL: 'loud', TIDINGS_SHUTDOWN_GRACE_SECONDS: '0' },
      [
        '--nope: unknown flag',
        'TIDINGS_NOPE: unknown environment variable',
        "--port (PORT): must be an integer 0..65535, got 'x'",
        "--log-level (LOG_LEVEL): must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'",
        "--shutdown-grace-seconds (TIDINGS_SHUTDOWN_GRACE_SECONDS, shutdown.graceSeconds): must be an integer 1..3600, got '0'",
      ],
    ],
  ])('rejects %s', (_name, argv, env, lines) => {
    expect(issuesOf(argv, env)).toEqual(lines);
  });

  it('puts every issue on its own line of the message', () => {
    expect(() => loadEdgeConfig(['--port', 'x'], { LOG_LEVEL: 'loud' })).toThrow(
      "--port (PORT): must be an integer 0..65535, got 'x'\n--log-level (LOG_LEVEL): must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'",
    );
  });
});

describe('describeEdgeConfig', () => {
  it('derives flag and environment names from the path', () => {
    expect(describeEdgeConfig().find((o) => o.path === 'limits.maxBodyBytes')).toMatchObject({
      flag: '--limits-max-body-bytes',
      env: 'TIDINGS_LIMITS_MAX_BODY_BYTES',
      default: '65536',
    });
  });

  it('lists every leaf of EdgeConfig once, with a description', () => {
    expectOneOptionPerLeaf(describeEdgeConfig(), loadEdgeConfig([], {}));
  });

  it('documents the conventional names', () => {
    expect(optionNames(describeEdgeConfig())).toMatchObject({
      port: '--port PORT 8080',
      processes: '--processes TIDINGS_PROCESSES 1',
      host: '--host HOST 0.0.0.0',
      redis: '--redis REDIS_URL (none)',
      allowAnonymous: '--allow-anonymous TIDINGS_ALLOW_ANONYMOUS false',
      nodeId: '--node-id TIDINGS_NODE_ID <hostname>-<pid>',
      allowJsFallback: '--allow-js-fallback TIDINGS_ALLOW_JS_FALLBACK false',
      logLevel: '--log-level LOG_LEVEL info',
      'cors.origins': '--cors-origins TIDINGS_CORS_ORIGINS *',
    });
  });
});
