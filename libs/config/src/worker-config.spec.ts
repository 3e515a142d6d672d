import { describe, expect, it } from 'vitest';
import { describeEdgeConfig, loadEdgeConfig } from './edge-config.js';
import { defaultNodeId } from './shared-options.js';
import { type Env, configIssues, expectOneOptionPerLeaf, optionNames } from './spec-support/config-assertions.js';
import { describeWorkerConfig, loadWorkerConfig } from './worker-config.js';

const REDIS = ['--redis', 'redis://r:6379'];
const SECRET = 'correct-horse-battery-staple';

const issuesOf = (argv: string[], env: Env = {}) => configIssues(loadWorkerConfig, argv, env);

describe('loadWorkerConfig', () => {
  it('uses the documented defaults when only Redis is given', () => {
    expect(loadWorkerConfig([], { REDIS_URL: 'redis://r:6379' })).toEqual({
      workerId: defaultNodeId(),
      redis: { kind: 'standalone', url: 'redis://r:6379' },
      logLevel: 'info',
      allowEviction: false,
      retention: { maxLength: 10_000, maxAgeSeconds: 86_400 },
      receipts: {
        ackTimeoutSeconds: 30,
        maxRetries: 5,
        backoffBaseSeconds: 5,
        backoffMaxSeconds: 300,
        deadlineSeconds: 3600,
      },
      membership: { idleSeconds: 86_400 },
      presence: { ttlSeconds: 30 },
      webhook: { url: null, secret: null, timeoutSeconds: 10, maxAttempts: 8 },
      groups: { lagMetrics: [], deadLetterScanSeconds: 10 },
      jobs: { concurrency: 50, lockSeconds: 30, reconcileSeconds: 30 },
      prune: { intervalSeconds: 300 },
      metrics: { host: '0.0.0.0', port: 9464 },
      shutdown: { graceSeconds: 30 },
    });
  });

  it('returns a deeply frozen object', () => {
    const config = loadWorkerConfig(['--redis', 'redis-cluster://a:1,b:2'], {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.receipts)).toBe(true);
    expect(Object.isFrozen(config.webhook)).toBe(true);
    expect(config.redis.kind === 'cluster' && Object.isFrozen(config.redis.nodes[0])).toBe(true);
  });

  it.each<[string, string[], Env, (c: ReturnType<typeof loadWorkerConfig>) => unknown, unknown]>([
    ['REDIS_URL is read from the environment', [], { REDIS_URL: 'rediss://r:6380' }, (c) => c.redis, { kind: 'standalone', url: 'rediss://r:6380' }],
    ['--redis overrides REDIS_URL', ['--redis=redis://a:1'], { REDIS_URL: 'redis://b:2' }, (c) => c.redis, { kind: 'standalone', url: 'redis://a:1' }],
    ['--worker-id', [...REDIS, '--worker-id', 'worker-a_1.eu'], {}, (c) => c.workerId, 'worker-a_1.eu'],
    ['TIDINGS_WORKER_ID', REDIS, { TIDINGS_WORKER_ID: 'w2' }, (c) => c.workerId, 'w2'],
    ['LOG_LEVEL', REDIS, { LOG_LEVEL: 'debug' }, (c) => c.logLevel, 'debug'],
    ['a bare --allow-eviction is true', [...REDIS, '--allow-eviction'], {}, (c) => c.allowEviction, true],
    ['TIDINGS_WORKER_ALLOW_EVICTION=1', REDIS, { TIDINGS_WORKER_ALLOW_EVICTION: '1' }, (c) => c.allowEviction, true],
    [
      'a receipts flag overrides its TIDINGS_WORKER_ variable, which overrides the default',
      [...REDIS, '--receipts-ack-timeout-seconds', '45'],
      { TIDINGS_WORKER_RECEIPTS_ACK_TIMEOUT_SECONDS: '40', TIDINGS_WORKER_RECEIPTS_MAX_RETRIES: '0' },
      (c) => [c.receipts.ackTimeoutSeconds, c.receipts.maxRetries, c.receipts.backoffBaseSeconds],
      [45, 0, 5],
    ],
    [
      'backoff base may equal its cap',
      [...REDIS, '--receipts-backoff-base-seconds=60', '--receipts-backoff-max-seconds=60'],
      {},
      (c) => [c.receipts.backoffBaseSeconds, c.receipts.backoffMaxSeconds],
      [60, 60],
    ],
    ['membership idle time, under the edge\'s name', REDIS, { TIDINGS_MEMBERSHIP_IDLE_SECONDS: '60' }, (c) => c.membership.idleSeconds, 60],
    [
      'retention under the edge’s names, so one variable sets both',
      [...REDIS, '--retention-max-length', '500'],
      { TIDINGS_RETENTION_MAX_LENGTH: '100', TIDINGS_RETENTION_MAX_AGE_SECONDS: '3600' },
      (c) => c.retention,
      { maxLength: 500, maxAgeSeconds: 3600 },
    ],
    ['presence TTL under the edge’s name', REDIS, { TIDINGS_PRESENCE_TTL_SECONDS: '60' }, (c) => c.presence.ttlSeconds, 60],
    ['--presence-ttl-seconds', [...REDIS, '--presence-ttl-seconds=90'], {}, (c) => c.presence.ttlSeconds, 90],
    [
      'a webhook with its secret from the environment',
      [...REDIS, '--webhook-url', 'https://hooks.example/tidings'],
      { TIDINGS_WORKER_WEBHOOK_SECRET: SECRET, TIDINGS_WORKER_WEBHOOK_MAX_ATTEMPTS: '3' },
      (c) => c.webhook,
      { url: 'https://hooks.example/tidings', secret: SECRET, timeoutSeconds: 10, maxAttempts: 3 },
    ],
    [
      'the webhook section entirely from TIDINGS_WORKER_ variables',
      REDIS,
      { TIDINGS_WORKER_WEBHOOK_URL: 'http://localhost:9000/dead', TIDINGS_WORKER_WEBHOOK_SECRET: SECRET, TIDINGS_WORKER_WEBHOOK_TIMEOUT_SECONDS: '2' },
      (c) => [c.webhook.url, c.webhook.timeoutSeconds],
      ['http://localhost:9000/dead', 2],
    ],
    ['a secret without a URL is kept (the webhook stays off)', REDIS, { TIDINGS_WORKER_WEBHOOK_SECRET: SECRET }, (c) => c.webhook.url, null],
    [
      'jobs section',
      [...REDIS, '--jobs-concurrency', '8'],
      { TIDINGS_WORKER_JOBS_LOCK_SECONDS: '60', TIDINGS_WORKER_JOBS_RECONCILE_SECONDS: '5' },
      (c) => c.jobs,
      { concurrency: 8, lockSeconds: 60, reconcileSeconds: 5 },
    ],
    [
      'consumer groups whose lag /metrics reports, channels with slashes and all',
      [...REDIS, '--groups-lag-metrics', 'orders#billing,fleet/eu/feedback#ops.v2'],
      { TIDINGS_WORKER_GROUPS_DEAD_LETTER_SCAN_SECONDS: '2' },
      (c) => c.groups,
      { lagMetrics: ['orders#billing', 'fleet/eu/feedback#ops.v2'], deadLetterScanSeconds: 2 },
    ],
    ['prune interval', REDIS, { TIDINGS_WORKER_PRUNE_INTERVAL_SECONDS: '60' }, (c) => c.prune.intervalSeconds, 60],
    [
      '--metrics-port 0 asks for an ephemeral port',
      [...REDIS, '--metrics-port', '0'],
      { TIDINGS_WORKER_METRICS_HOST: '127.0.0.1' },
      (c) => c.metrics,
      { host: '127.0.0.1', port: 0 },
    ],
    ['shutdown grace', REDIS, { TIDINGS_WORKER_SHUTDOWN_GRACE_SECONDS: '600' }, (c) => c.shutdown.graceSeconds, 600],
    [
      'variables of the edge and of other commands are left alone',
      REDIS,
      {
        TIDINGS_DEV_WORKERS: '2',
        TIDINGS_URL: 'http://x',
        TIDINGS_NODE_ID: 'edge-1',
        TIDINGS_PROCESSES: 'auto',
        TIDINGS_LIMITS_MAX_BATCH: 'not checked here',
        TIDINGS_PRESENCE_REFRESH_SECONDS: '10',
        TIDINGS_SHUTDOWN_GRACE_SECONDS: '10',
        PORT: '8080',
        NODE_ENV: 'test',
      },
      (c) => [c.jobs.concurrency, c.shutdown.graceSeconds],
      [50, 30],
    ],
  ])('%s', (_name, argv, env, pick, expected) => {
    expect(pick(loadWorkerConfig(argv, env))).toEqual(expected);
  });

  it('reads a deployment environment shared with the edges, and the edges read it too', () => {
    const shared: Env = { REDIS_URL: 'redis://r:6379' };
    for (const o of [...describeEdgeConfig(), ...describeWorkerConfig()]) {
      if (o.env.startsWith('TIDINGS_') && !o.default.startsWith('(')) shared[o.env] = o.default.replace('<hostname>-<pid>', 'node-1');
    }
    shared.TIDINGS_RETENTION_MAX_LENGTH = '777';
    expect(loadWorkerConfig([], shared).retention.maxLength).toBe(777);
    expect(loadEdgeConfig([], shared).retention.maxLength).toBe(777);
  });

  it.each<[string, string[], Env, string[]]>([
    ['a missing Redis URL', [], {}, ['--redis (REDIS_URL): is required: pass --redis or set REDIS_URL']],
    ['an empty REDIS_URL', [], { REDIS_URL: '' }, ['--redis (REDIS_URL): is required: pass --redis or set REDIS_URL']],
    [
      'a Redis URL of another scheme, password masked',
      ['--redis', 'http://u:hunter2@h'],
      {},
      ["--redis (REDIS_URL): must start with redis://, rediss://, redis-cluster:// or rediss-cluster://, got 'http://u:***@h'"],
    ],
    [
      'a backoff cap below its base',
      [...REDIS, '--receipts-backoff-base-seconds', '60'],
      { TIDINGS_WORKER_RECEIPTS_BACKOFF_MAX_SECONDS: '30' },
      [
        "--receipts-backoff-max-seconds (TIDINGS_WORKER_RECEIPTS_BACKOFF_MAX_SECONDS, receipts.backoffMaxSeconds): must be at least receipts.backoffBaseSeconds (60), got '30'",
      ],
    ],
    [
      'a deadline no later than the first redelivery',
      [...REDIS, '--receipts-deadline-seconds=30'],
      {},
      [
        "--receipts-deadline-seconds (TIDINGS_WORKER_RECEIPTS_DEADLINE_SECONDS, receipts.deadlineSeconds): must be above receipts.ackTimeoutSeconds (30), or devices are dead before their first redelivery, got '30'",
      ],
    ],
    [
      'both receipt conflicts at once',
      [...REDIS, '--receipts-backoff-max-seconds=1', '--receipts-ack-timeout-seconds=7200'],
      {},
      [
        "--receipts-backoff-max-seconds (TIDINGS_WORKER_RECEIPTS_BACKOFF_MAX_SECONDS, receipts.backoffMaxSeconds): must be at least receipts.backoffBaseSeconds (5), got '1'",
        '--receipts-deadline-seconds (TIDINGS_WORKER_RECEIPTS_DEADLINE_SECONDS, receipts.deadlineSeconds): must be above receipts.ackTimeoutSeconds (7200), or devices are dead before their first redelivery',
      ],
    ],
    [
      'more retries than allowed',
      [...REDIS, '--receipts-max-retries', '101'],
      {},
      ["--receipts-max-retries (TIDINGS_WORKER_RECEIPTS_MAX_RETRIES, receipts.maxRetries): must be an integer 0..100, got '101'"],
    ],
    [
      'a membership idle limit under two seconds',
      REDIS,
      { TIDINGS_MEMBERSHIP_IDLE_SECONDS: '1' },
      ["--membership-idle-seconds (TIDINGS_MEMBERSHIP_IDLE_SECONDS, membership.idleSeconds): must be an integer 2..31536000, got '1'"],
    ],
    [
      'a webhook URL without its secret',
      [...REDIS, '--webhook-url', 'https://hooks.example/tidings'],
      {},
      ['--webhook-secret (TIDINGS_WORKER_WEBHOOK_SECRET, webhook.secret): is required when webhook.url is set'],
    ],
    [
      'a webhook secret too short, without repeating it',
      [...REDIS, '--webhook-url', 'https://hooks.example/tidings'],
      { TIDINGS_WORKER_WEBHOOK_SECRET: 'short-secret' },
      ["--webhook-secret (TIDINGS_WORKER_WEBHOOK_SECRET, webhook.secret): must be at least 16 characters, got '***'"],
    ],
    [
      'a webhook URL that is not http(s), password masked',
      [...REDIS, '--webhook-url=ftp://u:pw@hooks.example/x', `--webhook-secret=${SECRET}`],
      {},
      ["--webhook-url (TIDINGS_WORKER_WEBHOOK_URL, webhook.url): must be an http:// or https:// URL, got 'ftp://u:***@hooks.example/x'"],
    ],
    [
      'a webhook URL that is no URL',
      REDIS,
      { TIDINGS_WORKER_WEBHOOK_URL: 'hooks.example', TIDINGS_WORKER_WEBHOOK_SECRET: SECRET },
      ["--webhook-url (TIDINGS_WORKER_WEBHOOK_URL, webhook.url): must be an http:// or https:// URL, got 'hooks.example'"],
    ],
    [
      'a worker id with a space',
      [...REDIS, '--worker-id', 'worker 1'],
      {},
      ["--worker-id (TIDINGS_WORKER_ID): must be 1-64 characters of A-Z a-z 0-9 _ . -, got 'worker 1'"],
    ],
    [
      'a presence TTL below the edge’s minimum',
      REDIS,
      { TIDINGS_PRESENCE_TTL_SECONDS: '1' },
      ["--presence-ttl-seconds (TIDINGS_PRESENCE_TTL_SECONDS, presence.ttlSeconds): must be an integer 2..3600, got '1'"],
    ],
    ['a metrics port out of range', [...REDIS, '--metrics-port=65536'], {}, ["--metrics-port (TIDINGS_WORKER_METRICS_PORT, metrics.port): must be an integer 0..65535, got '65536'"]],
    [
      'a lag-metrics entry without its group, or with a pattern',
      [...REDIS, '--groups-lag-metrics', 'orders,fleet/+#ops'],
      {},
      [
        "--groups-lag-metrics (TIDINGS_WORKER_GROUPS_LAG_METRICS, groups.lagMetrics): must be channel#group pairs, got 'orders'",
        "--groups-lag-metrics (TIDINGS_WORKER_GROUPS_LAG_METRICS, groups.lagMetrics): must be channel#group pairs, got 'fleet/+#ops'",
      ],
    ],
    ['zero concurrency', REDIS, { TIDINGS_WORKER_JOBS_CONCURRENCY: '0' }, ["--jobs-concurrency (TIDINGS_WORKER_JOBS_CONCURRENCY, jobs.concurrency): must be an integer 1..1000, got '0'"]],
    ['an edge-only flag', [...REDIS, '--port', '8080'], {}, ['--port: unknown flag', "unexpected argument '8080': options are --name=value or --name value"]],
    ['an unknown flag, with a suggestion', [...REDIS, '--jobs-concurency=5'], {}, ['--jobs-concurency: unknown flag (did you mean --jobs-concurrency?)']],
    [
      'a mistyped --webhook-secret, without echoing its value',
      [...REDIS, '--webhok-secret', SECRET],
      {},
      ['--webhok-secret: unknown flag (did you mean --webhook-secret?)'],
    ],
    [
      'an unknown TIDINGS_WORKER_ variable, with a suggestion',
      REDIS,
      { TIDINGS_WORKER_JOBS_CONCURENCY: '5' },
      ['TIDINGS_WORKER_JOBS_CONCURENCY: unknown environment variable (did you mean TIDINGS_WORKER_JOBS_CONCURRENCY?)'],
    ],
    [
      'retention under the worker prefix (it is read under the edge’s names)',
      REDIS,
      { TIDINGS_WORKER_RETENTION_MAX_LENGTH: '100' },
      ['TIDINGS_WORKER_RETENTION_MAX_LENGTH: unknown environment variable'],
    ],
    ['an unknown TIDINGS_ variable', REDIS, { TIDINGS_COLOR: 'blue' }, ['TIDINGS_COLOR: unknown environment variable']],
  ])('rejects %s', (_name, argv, env, lines) => {
    expect(issuesOf(argv, env)).toEqual(lines);
  });

  it('never repeats the webhook secret, whichever way it was given', () => {
    const secret = 'tooShortSecret';
    for (const [argv, env] of [
      [['--webhook-url=https://h.example', `--webhook-secret=${secret}`], {}],
      [['--webhook-url=https://h.example', '--webhook-secret', secret, '--jobs-concurrency=0'], {}],
      [[], { TIDINGS_WORKER_WEBHOOK_URL: 'https://h.example', TIDINGS_WORKER_WEBHOOK_SECRET: secret }],
      [['--webhook-url=https://h.example', '--webhook-secrte', secret], {}],
    ] as const) {
      const issues = issuesOf([...argv], env);
      expect(issues.join('\n')).toContain('--webhook-secret');
      expect(issues.join('\n')).not.toContain(secret);
    }
  });
});

describe('describeWorkerConfig', () => {
  it('lists every leaf of WorkerConfig once, with a description', () => {
    expectOneOptionPerLeaf(describeWorkerConfig(), loadWorkerConfig(REDIS, {}));
  });

  it('names the worker’s own variables TIDINGS_WORKER_*, and the shared ones as the edge does', () => {
    expect(optionNames(describeWorkerConfig())).toEqual({
      workerId: '--worker-id TIDINGS_WORKER_ID <hostname>-<pid>',
      redis: '--redis REDIS_URL (required)',
      logLevel: '--log-level LOG_LEVEL info',
      allowEviction: '--allow-eviction TIDINGS_WORKER_ALLOW_EVICTION false',
      'retention.maxLength': '--retention-max-length TIDINGS_RETENTION_MAX_LENGTH 10000',
      'retention.maxAgeSeconds': '--retention-max-age-seconds TIDINGS_RETENTION_MAX_AGE_SECONDS 86400',
      'receipts.ackTimeoutSeconds': '--receipts-ack-timeout-seconds TIDINGS_WORKER_RECEIPTS_ACK_TIMEOUT_SECONDS 30',
      'receipts.maxRetries': '--receipts-max-retries TIDINGS_WORKER_RECEIPTS_MAX_RETRIES 5',
      'receipts.backoffBaseSeconds': '--receipts-backoff-base-seconds TIDINGS_WORKER_RECEIPTS_BACKOFF_BASE_SECONDS 5',
      'receipts.backoffMaxSeconds': '--receipts-backoff-max-seconds TIDINGS_WORKER_RECEIPTS_BACKOFF_MAX_SECONDS 300',
      'receipts.deadlineSeconds': '--receipts-deadline-seconds TIDINGS_WORKER_RECEIPTS_DEADLINE_SECONDS 3600',
      'membership.idleSeconds': '--membership-idle-seconds TIDINGS_MEMBERSHIP_IDLE_SECONDS 86400',
      'presence.ttlSeconds': '--presence-ttl-seconds TIDINGS_PRESENCE_TTL_SECONDS 30',
      'webhook.url': '--webhook-url TIDINGS_WORKER_WEBHOOK_URL (none)',
      'webhook.secret': '--webhook-secret TIDINGS_WORKER_WEBHOOK_SECRET (none)',
      'webhook.timeoutSeconds': '--webhook-timeout-seconds TIDINGS_WORKER_WEBHOOK_TIMEOUT_SECONDS 10',
      'webhook.maxAttempts': '--webhook-max-attempts TIDINGS_WORKER_WEBHOOK_MAX_ATTEMPTS 8',
      'groups.lagMetrics': '--groups-lag-metrics TIDINGS_WORKER_GROUPS_LAG_METRICS (none)',
      'groups.deadLetterScanSeconds': '--groups-dead-letter-scan-seconds TIDINGS_WORKER_GROUPS_DEAD_LETTER_SCAN_SECONDS 10',
      'jobs.concurrency': '--jobs-concurrency TIDINGS_WORKER_JOBS_CONCURRENCY 50',
      'jobs.lockSeconds': '--jobs-lock-seconds TIDINGS_WORKER_JOBS_LOCK_SECONDS 30',
      'jobs.reconcileSeconds': '--jobs-reconcile-seconds TIDINGS_WORKER_JOBS_RECONCILE_SECONDS 30',
      'prune.intervalSeconds': '--prune-interval-seconds TIDINGS_WORKER_PRUNE_INTERVAL_SECONDS 300',
      'metrics.host': '--metrics-host TIDINGS_WORKER_METRICS_HOST 0.0.0.0',
      'metrics.port': '--metrics-port TIDINGS_WORKER_METRICS_PORT 9464',
      'shutdown.graceSeconds': '--shutdown-grace-seconds TIDINGS_WORKER_SHUTDOWN_GRACE_SECONDS 30',
    });
  });

  it('reads retention and the presence TTL by the very options the edge reads them by', () => {
    const edge = describeEdgeConfig();
    for (const path of ['retention.maxLength', 'retention.maxAgeSeconds', 'presence.ttlSeconds']) {
      expect(describeWorkerConfig().find((o) => o.path === path)).toEqual(edge.find((o) => o.path === path));
    }
  });
});
