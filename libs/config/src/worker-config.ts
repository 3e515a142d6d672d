import { z } from 'zod';
import { type ConfigDefinition, loadConfig } from './load-config.js';
import { type ConfigOption, listOptions } from './list-options.js';
import { isChannel, isGroupName } from '@tidings/protocol';
import { booleanOption, httpUrlOption, integerOption, listOption, requiredRedisUrlOption, secretOption } from './option-schema.js';
import type { RedisTarget } from './redis-target.js';
import { type LogLevel, hostOption, logLevelOption, nodeIdOption, membershipSection, presenceTtlSecondsOption, retentionSection } from './shared-options.js';

/** `tidings worker`: receipt redelivery, dead letters and pruning, as BullMQ jobs. */
export interface WorkerConfig {
  readonly workerId: string;
  readonly redis: RedisTarget;
  readonly logLevel: LogLevel;
  /** Start even when Redis maxmemory-policy is not noeviction. */
  readonly allowEviction: boolean;
  /** The edges' numbers: the pruner trims idle streams by them. */
  readonly retention: { readonly maxLength: number; readonly maxAgeSeconds: number };
  readonly receipts: {
    readonly ackTimeoutSeconds: number;
    readonly maxRetries: number;
    readonly backoffBaseSeconds: number;
    readonly backoffMaxSeconds: number;
    readonly deadlineSeconds: number;
  };
  readonly membership: { readonly idleSeconds: number };
  readonly presence: { readonly ttlSeconds: number };
  /** Where dead letters go; `url: null` means nowhere but the log. */
  readonly webhook: {
    readonly url: string | null;
    readonly secret: string | null;
    readonly timeoutSeconds: number;
    readonly maxAttempts: number;
  };
  readonly groups: {
    /** Consumer groups, as `channel#group`, whose lag and pending counts /metrics reports. */
    readonly lagMetrics: readonly string[];
    readonly deadLetterScanSeconds: number;
  };
  readonly jobs: { readonly concurrency: number; readonly lockSeconds: number; readonly reconcileSeconds: number };
  readonly prune: { readonly intervalSeconds: number };
  /** The HTTP server for /metrics, /healthz and /readyz. */
  readonly metrics: { readonly host: string; readonly port: number };
  readonly shutdown: { readonly graceSeconds: number };
}

const DAY = 86400;
const WEBHOOK_SECRET_MIN_LENGTH = 16;

const receipts = z
  .strictObject({
    ackTimeoutSeconds: integerOption(1, DAY, 30, 'First redelivery this long after publish, in seconds, to devices that have not answered.'),
    maxRetries: integerOption(0, 100, 5, 'Redelivery rounds before a device that has not answered is marked dead.'),
    backoffBaseSeconds: integerOption(1, 3600, 5, 'Delay after the first redelivery, in seconds; it doubles each round, with jitter.'),
    backoffMaxSeconds: integerOption(1, DAY, 300, 'Cap of that delay, in seconds; at least receipts.backoffBaseSeconds.'),
    deadlineSeconds: integerOption(
      1,
      7 * DAY,
      3600,
      'A device that has not answered this long after publish is dead whatever its retries, in seconds; above receipts.ackTimeoutSeconds.',
    ),
  })
  .superRefine((r, ctx) => {
    if (r.backoffMaxSeconds < r.backoffBaseSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['backoffMaxSeconds'],
        message: `must be at least receipts.backoffBaseSeconds (${r.backoffBaseSeconds})`,
      });
    }
    if (r.deadlineSeconds <= r.ackTimeoutSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['deadlineSeconds'],
        message: `must be above receipts.ackTimeoutSeconds (${r.ackTimeoutSeconds}), or devices are dead before their first redelivery`,
      });
    }
  });

const webhook = z
  .strictObject({
    url: httpUrlOption(
      "Where dead letters are POSTed (devices that never acknowledged an ack event, and consumer groups' events past their maximum deliveries); without one they are only logged and counted.",
    ),
    secret: secretOption(
      WEBHOOK_SECRET_MIN_LENGTH,
      'Key of the HMAC-SHA256 signature each webhook request carries (tidings-signature header); required with webhook.url. Prefer the variable to the flag, which `ps` shows to every user. Never repeated in error messages.',
    ),
    timeoutSeconds: integerOption(1, 120, 10, 'How long one webhook request may take, in seconds.'),
    maxAttempts: integerOption(1, 50, 8, 'Tries per dead letter, with exponential backoff, before it is kept as failed.'),
  })
  .superRefine((w, ctx) => {
    if (w.url !== null && w.secret === null) {
      ctx.addIssue({ code: 'custom', path: ['secret'], message: 'is required when webhook.url is set' });
    }
  });

export const workerConfigSchema = z.strictObject({
  workerId: nodeIdOption('Name of this worker in logs, metrics and job locks; must be unique among the workers.', { env: 'TIDINGS_WORKER_ID' }),
  redis: requiredRedisUrlOption('Redis holding the event log, receipts, presence and the job queues: the one the edges use.', {
    flag: '--redis',
    env: 'REDIS_URL',
  }),
  logLevel: logLevelOption,
  allowEviction: booleanOption(
    'Start even when the Redis maxmemory-policy is not noeviction (Redis may then evict events, receipts and jobs under memory pressure).',
  ),
  retention: retentionSection,
  receipts,
  membership: membershipSection,
  presence: z.strictObject({ ttlSeconds: presenceTtlSecondsOption }),
  webhook,
  groups: z.strictObject({
    lagMetrics: listOption(
      z.string().refine(isGroupRef, { error: 'must be channel#group pairs' }),
      [],
      'Consumer groups whose lag and pending counts /metrics reports (tidings_consumer_group_lag_events, tidings_consumer_group_pending_events), as channel#group, comma-separated: each adds a series, so list the ones you alert on.',
      'comma-separated channel#group',
    ),
    deadLetterScanSeconds: integerOption(1, 3600, 10, "How often consumer groups' new dead letters are POSTed to webhook.url, in seconds."),
  }),
  jobs: z.strictObject({
    concurrency: integerOption(1, 1000, 50, 'Jobs one worker runs at once.'),
    lockSeconds: integerOption(1, 600, 30, "How long a job stays locked, in seconds; a killed worker's jobs are taken over after about this long."),
    reconcileSeconds: integerOption(1, 3600, 30, 'How often the reconciler looks for acknowledged events whose job was lost, in seconds.'),
  }),
  prune: z.strictObject({
    intervalSeconds: integerOption(1, DAY, 300, 'How often the pruner trims idle streams and expires receipts, memberships and presence, in seconds.'),
  }),
  metrics: z.strictObject({
    host: hostOption('Address of the HTTP server for /metrics, /healthz and /readyz.'),
    port: integerOption(0, 65535, 9464, 'Port of that server; 0 picks a free one (logged at start-up).'),
  }),
  shutdown: z.strictObject({
    graceSeconds: integerOption(1, 600, 30, 'How long SIGTERM waits for running jobs before the worker exits, in seconds.'),
  }),
});

/** `orders#billing`: channel names never hold '#', group names never do either. */
export function splitGroupRef(ref: string): { channel: string; group: string } {
  const hash = ref.indexOf('#');
  return { channel: ref.slice(0, hash), group: ref.slice(hash + 1) };
}

function isGroupRef(ref: string): boolean {
  const { channel, group } = splitGroupRef(ref);
  return ref.includes('#') && isChannel(channel) && isGroupName(group);
}

const WORKER: ConfigDefinition<typeof workerConfigSchema> = {
  schema: workerConfigSchema,
  envPrefix: 'TIDINGS_WORKER_',
  // The worker shares deployment environments with the edge, and `tidings dev` passes its own on:
  // the edge-only options and the other commands' variables are theirs. (retention.* and
  // membership.idleSeconds and presence.ttlSeconds the worker reads under the edge's names.)
  envPolicy: {
    prefix: 'TIDINGS_',
    foreign: [
      'TIDINGS_DEV_',
      'TIDINGS_URL',
      'TIDINGS_NODE_ID',
      'TIDINGS_PROCESSES',
      'TIDINGS_ALLOW_ANONYMOUS',
      'TIDINGS_ALLOW_JS_FALLBACK',
      'TIDINGS_AUTH_',
      'TIDINGS_LIMITS_',
      'TIDINGS_SSE_',
      'TIDINGS_PUBLISH_',
      'TIDINGS_PRESENCE_REFRESH_SECONDS',
      'TIDINGS_CORS_',
      'TIDINGS_SHUTDOWN_',
      'TIDINGS_METRICS_',
    ],
  },
};

/** Parses the worker configuration from flags over environment; throws ConfigError listing every problem. */
export function loadWorkerConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): WorkerConfig {
  return loadConfig(WORKER, argv, env);
}

/** Every worker option with its flag, environment variable, default and meaning (docs/config.md). */
export function describeWorkerConfig(): ConfigOption[] {
  return listOptions(WORKER.schema, WORKER.envPrefix);
}

/** Environment names under TIDINGS_ that the worker leaves to other commands. */
export const WORKER_FOREIGN_ENV: readonly string[] = WORKER.envPolicy.foreign;
