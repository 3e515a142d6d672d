import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { CURSOR_MAX_CHANNELS, DEFAULT_BODY_LIMITS } from '@tidings/protocol';
import { z } from 'zod';
import { type ConfigDefinition, loadConfig } from './load-config.js';
import { type ConfigOption, listOptions } from './list-options.js';
import {
  booleanOption,
  countOrAutoOption,
  enumOption,
  integerOption,
  isHttpUrl,
  listOption,
  optionalIntegerOption,
  optionalTextOption,
  redisUrlOption,
  secretOption,
} from './option-schema.js';
import type { RedisTarget } from './redis-target.js';
import { type LogLevel, hostOption, logLevelOption, membershipSection, nodeIdOption, presenceTtlSecondsOption, retentionSection } from './shared-options.js';

export interface EdgeConfig {
  readonly nodeId: string;
  readonly host: string;
  readonly port: number;
  /** Edge processes sharing the port on this host (`auto` already resolved to the CPU count); 1 runs this process alone. */
  readonly processes: number;
  readonly redis: RedisTarget | null;
  readonly allowAnonymous: boolean;
  readonly auth: {
    readonly jwtSecret: string | null;
    readonly jwtPublicKeyFile: string | null;
    readonly jwksFile: string | null;
    readonly issuer: string | null;
    readonly audience: string | null;
    readonly clockSkewSeconds: number;
    readonly adminToken: string | null;
    readonly consoleTokenSeconds: number;
    readonly apiKeysFile: string | null;
    readonly wsAuthSeconds: number;
  };
  readonly allowJsFallback: boolean;
  readonly logLevel: LogLevel;
  readonly retention: { readonly maxLength: number; readonly maxAgeSeconds: number };
  readonly limits: {
    readonly maxBodyBytes: number;
    readonly maxFrameBytes: number;
    readonly maxJsonDepth: number;
    readonly maxBatch: number;
    readonly maxChannelsPerConnection: number;
    readonly maxHistoryLimit: number;
    readonly slowConsumerBytes: number;
    readonly pollMaxTimeoutSeconds: number;
    readonly publishRatePerSecond: number;
    readonly publishBurst: number;
    readonly maxConnectionsPerPrincipal: number;
    readonly maxConnectionsPerIp: number;
    readonly trustedProxies: readonly string[];
    readonly maxTrackedChannels: number;
    readonly maxDurablePatterns: number;
    readonly wsIdleSeconds: number;
  };
  readonly sse: { readonly heartbeatSeconds: number; readonly retryMs: number };
  readonly membership: { readonly idleSeconds: number };
  /** Durability of publishes: replicas that must have one before it is answered (0: the master is enough). */
  readonly publish: { readonly replicas: number; readonly replicaTimeoutMs: number };
  readonly presence: { readonly ttlSeconds: number; readonly refreshSeconds: number };
  /** Allowed browser origins; `['*']` allows any. */
  readonly cors: { readonly origins: readonly string[] };
  readonly shutdown: { readonly graceSeconds: number; readonly closeBatchSize: number };
  /** MQTT over plain TCP on a port of its own; `port` null: none (MQTT over WebSocket is always on /mqtt). */
  readonly mqtt: { readonly port: number | null };
  /** The ops listener (/metrics, /healthz, /readyz) apart from the public one; `port` null: none. */
  readonly metrics: { readonly host: string; readonly port: number | null; readonly publicRoute: 'on' | 'off' };
}

const MIB = 1024 * 1024;

const origin = z.string().refine((s) => s === '*' || isOrigin(s), { error: 'must be * or origins like https://app.example.com' });

function isOrigin(s: string): boolean {
  return isHttpUrl(s) && new URL(s).origin === s;
}

const limits = z
  .strictObject({
    maxBodyBytes: integerOption(1, 16 * MIB, 65536, 'Largest accepted publish body (HTTP), in bytes.'),
    maxFrameBytes: integerOption(1, 16 * MIB, 65536, 'Largest accepted inbound WebSocket frame, in bytes; larger frames close the socket.'),
    maxJsonDepth: integerOption(1, 256, DEFAULT_BODY_LIMITS.maxJsonDepth, 'Deepest nesting accepted in JSON bodies and frames.'),
    maxBatch: integerOption(1, 10_000, 100, 'Most events in one POST /v1/publish batch.'),
    maxChannelsPerConnection: integerOption(
      1,
      CURSOR_MAX_CHANNELS,
      64,
      'Most channels (or patterns) one SSE, WebSocket or poll connection may subscribe to; capped by what one cursor can carry.',
    ),
    maxHistoryLimit: integerOption(1, 10_000, 1000, 'Most events one history read or long-poll answer returns.'),
    slowConsumerBytes: integerOption(
      1,
      1024 * MIB,
      MIB,
      'Bytes a connection may have buffered before it is disconnected as a slow consumer (it resumes from its cursor); at least limits.maxBodyBytes.',
    ),
    pollMaxTimeoutSeconds: integerOption(1, 300, 60, 'Longest a long-poll request may wait (the timeout query parameter is capped to this).'),
    publishRatePerSecond: integerOption(
      1,
      1_000_000,
      100,
      'Events per second one token subject or API key may publish, cluster-wide (a token bucket in Redis); anonymous mode is not limited.',
    ),
    publishBurst: integerOption(1, 1_000_000, 200, 'Events one token subject or API key may publish at once before the rate applies.'),
    maxConnectionsPerPrincipal: integerOption(
      0,
      1_000_000,
      1000,
      'Open SSE streams and WebSockets per token subject or API key on one node; 0 for no limit.',
    ),
    maxConnectionsPerIp: integerOption(
      0,
      1_000_000,
      0,
      'Open SSE streams and WebSockets per client address on one node; 0 (the default) for no limit. Behind a proxy, list it in limits.trustedProxies so the client address is read from X-Forwarded-For.',
    ),
    maxTrackedChannels: integerOption(
      1,
      100_000,
      1024,
      'Most channels one subscription may follow, counting those its wildcard patterns discover; past it the subscription ends with TIDINGS_TOO_MANY_CHANNELS.',
    ),
    maxDurablePatterns: integerOption(
      1,
      1024,
      16,
      'Most wildcard patterns one device may follow durably at once (each keeps its positions for the device); a subscription past it is refused with TIDINGS_TOO_MANY_PATTERNS.',
    ),
    wsIdleSeconds: integerOption(
      8,
      960,
      120,
      'A WebSocket that sends nothing, not even a pong to the automatic pings, for this long is closed, in seconds (to about 4 s); so is an MQTT TCP connection that sends nothing, not even PINGREQ.',
    ),
    trustedProxies: listOption(
      z.string().refine((s) => isIP(s) !== 0, { error: 'must be IP addresses' }),
      [],
      'Addresses of the proxies in front of this node, comma-separated: for requests from them the client address is taken from X-Forwarded-For.',
      'comma-separated IP addresses',
    ),
  })
  .superRefine((l, ctx) => {
    if (l.slowConsumerBytes < l.maxBodyBytes) {
      ctx.addIssue({
        code: 'custom',
        path: ['slowConsumerBytes'],
        message: `must be at least limits.maxBodyBytes (${l.maxBodyBytes}) so that one event fits a consumer's buffer`,
      });
    }
  });

const SECRET_MIN_LENGTH = 32;

const auth = z.strictObject({
  jwtSecret: secretOption(
    SECRET_MIN_LENGTH,
    'HS256 key: tokens signed with it are accepted. Prefer the variable to the flag, which `ps` shows to every user.',
  ),
  jwtPublicKeyFile: optionalTextOption('PEM file holding one RS256 (RSA) or ES256 (P-256) public key: tokens signed by its private key are accepted.', 'a file path'),
  jwksFile: optionalTextOption('JWKS file (JSON) of RS256/ES256 public keys, picked by the token\'s kid: for key rotation.', 'a file path'),
  issuer: optionalTextOption('When set, tokens must carry this iss claim.', 'a string'),
  audience: optionalTextOption('When set, tokens must carry this aud claim.', 'a string'),
  clockSkewSeconds: integerOption(0, 300, 30, 'Clock difference tolerated when checking exp and nbf, in seconds.'),
  adminToken: secretOption(SECRET_MIN_LENGTH, 'Bearer token for /v1/admin/*; without one the admin API is open only in anonymous mode. Prefer the variable.'),
  consoleTokenSeconds: integerOption(60, 3600, 600, 'Lifetime of the tokens the web console gets for the admin token (POST /v1/admin/console-token), in seconds.'),
  apiKeysFile: optionalTextOption(
    'JSON file of publisher API keys to create or update at start-up ({"keys":[{"name","key","publish","subscribe"?,"consume"?}]}; see docs/operations.md), for declarative setups such as a Kubernetes Secret. Only a hash of each secret is stored.',
    'a file path',
  ),
  wsAuthSeconds: integerOption(1, 120, 10, 'How long a WebSocket opened without credentials has to send its auth frame before it is closed, in seconds.'),
});

const cors = z
  .strictObject({
    origins: listOption(origin, ['*'], 'Browser origins allowed by CORS, comma-separated; * allows any.', "comma-separated origins, or '*'"),
  })
  .superRefine((c, ctx) => {
    if (c.origins.includes('*') && c.origins.length > 1) {
      ctx.addIssue({ code: 'custom', path: ['origins'], message: "'*' allows every origin and cannot be combined with others" });
    }
  });

export const edgeConfigSchema = z.strictObject({
  nodeId: nodeIdOption('Name of this node in logs, metrics, presence and the admin API; must be unique in the cluster.'),
  host: hostOption('Address to listen on.', { flag: '--host', env: 'HOST' }),
  port: integerOption(0, 65535, 8080, 'Port to listen on; 0 picks a free one (logged at start-up).', { flag: '--port', env: 'PORT' }),
  processes: countOrAutoOption(
    1,
    256,
    1,
    availableParallelism,
    'Edge processes to run on this host, sharing the port (Linux): each is a node of its own, <node-id>-<n>, with its own per-node limits; auto runs one per CPU. On Kubernetes keep 1 and scale pods.',
  ),
  redis: redisUrlOption('Redis holding the event log, receipts and presence. Required by `tidings edge`.', {
    flag: '--redis',
    env: 'REDIS_URL',
  }),
  allowAnonymous: booleanOption(
    'Accept clients without credentials, with every right (tokens that are presented are still checked). For development only; tidings dev turns it on.',
  ),
  auth,
  allowJsFallback: booleanOption('Run on the slow pure-JavaScript transport when uWebSockets.js cannot load on this platform.'),
  logLevel: logLevelOption,
  retention: retentionSection,
  limits,
  sse: z.strictObject({
    heartbeatSeconds: integerOption(1, 3600, 15, "Interval of comment heartbeats on idle SSE streams, in seconds; also the node's tick that checks token expiry and MQTT keep-alives."),
    retryMs: integerOption(1, 3_600_000, 2000, 'Reconnect delay sent to EventSource clients (retry: field), in milliseconds.'),
  }),
  membership: membershipSection,
  publish: z.strictObject({
    replicas: integerOption(
      0,
      5,
      0,
      'Replicas that must have a publish before it is answered 201 (WAIT on a connection of its own to the master); a 503 means stored but not known to be replicated, and a retry with the same idempotency key is safe.',
    ),
    replicaTimeoutMs: integerOption(1, 60_000, 1000, 'How long a publish waits for its replicas (with publish.replicas), in milliseconds, before it is answered 503.'),
  }),
  presence: z
    .strictObject({
      ttlSeconds: presenceTtlSecondsOption,
      refreshSeconds: integerOption(1, 1800, 10, 'How often an edge reports its connected devices, in one batch per channel.'),
    })
    .refine((p) => p.refreshSeconds < p.ttlSeconds, { message: 'refreshSeconds must be below ttlSeconds', path: ['refreshSeconds'] }),
  cors,
  shutdown: z.strictObject({
    graceSeconds: integerOption(1, 3600, 10, 'Hard deadline for draining on SIGTERM, in seconds.'),
    closeBatchSize: integerOption(1, 100_000, 500, 'Sessions closed per batch while draining (batches are jittered to spread reconnects).'),
  }),
  mqtt: z.strictObject({
    port: optionalIntegerOption(
      0,
      65535,
      'Port of a plain TCP MQTT listener (3.1.1 and 5.0, on --host), beside MQTT over WebSocket on /mqtt; 0 picks a free one (logged). Off unless set; a single edge process only (not with --processes N).',
    ),
  }),
  metrics: z.strictObject({
    host: hostOption('Address of the ops listener (/metrics, /healthz, /readyz), when --metrics-port is set.'),
    port: optionalIntegerOption(
      0,
      65535,
      'Port of a separate ops listener serving /metrics, /healthz and /readyz, so that scrapes stay off the public port; 0 picks a free one (logged). With --processes N the supervisor holds it and answers for the whole group.',
    ),
    publicRoute: enumOption(['on', 'off'], 'on', 'Whether the public port also answers GET /metrics; turn it off when --metrics-port is set and the public port faces the internet.'),
  }),
});

const EDGE: ConfigDefinition<typeof edgeConfigSchema> = {
  schema: edgeConfigSchema,
  envPrefix: 'TIDINGS_',
  // `tidings dev` passes its environment to the edges it starts; the worker and the CLI client
  // share deployment environments with the edge.
  envPolicy: { prefix: 'TIDINGS_', foreign: ['TIDINGS_DEV_', 'TIDINGS_WORKER_', 'TIDINGS_URL'] },
};

/** Parses the edge configuration from flags over environment; throws ConfigError listing every problem. */
export function loadEdgeConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): EdgeConfig {
  return loadConfig(EDGE, argv, env);
}

/** Every edge option with its flag, environment variable, default and meaning (docs/config.md). */
export function describeEdgeConfig(): ConfigOption[] {
  return listOptions(EDGE.schema, EDGE.envPrefix);
}

/** Environment names under TIDINGS_ that the edge leaves to other commands. */
export const EDGE_FOREIGN_ENV: readonly string[] = EDGE.envPolicy.foreign;
