import { readFileSync } from 'node:fs';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { watchClusterForSilence, watchForSilence } from './silence-watchdog.js';

export type RedisTarget =
  | { readonly kind: 'standalone'; readonly url: string }
  | {
      readonly kind: 'cluster';
      readonly nodes: readonly { readonly host: string; readonly port: number }[];
      readonly password?: string;
      readonly tls: boolean;
    };

export interface TidingsCommands {
  tidingsAppend(...args: (string | number)[]): Promise<[string, number, number]>;
  tidingsMarkDelivered(...args: (string | number)[]): Promise<number>;
  tidingsRecordReceipt(...args: (string | number)[]): Promise<[string, string]>;
  tidingsRefreshPresence(...args: (string | number)[]): Promise<number>;
  tidingsTakeTokens(...args: (string | number)[]): Promise<[number, number]>;
  tidingsLeavePresence(...args: (string | number)[]): Promise<number>;
  tidingsSavePositions(...args: (string | number)[]): Promise<number>;
  tidingsJoinChannel(...args: (string | number)[]): Promise<[string, string]>;
  tidingsJoinPatterns(numberOfKeys: number, ...args: (string | number)[]): Promise<['ok' | 'too-many', ['live' | 'new', string[], string[]][]]>;
  tidingsSavePatternPositions(...args: (string | number)[]): Promise<number>;
  tidingsRenewPatterns(numberOfKeys: number, ...args: (string | number)[]): Promise<number>;
  tidingsKeepFilters(...args: (string | number)[]): Promise<number>;
  tidingsGroupPut(...args: (string | number)[]): Promise<number>;
  tidingsGroupClaim(...args: (string | number)[]): Promise<GroupClaimReply>;
  tidingsGroupAck(...args: (string | number)[]): Promise<['no-group'] | ['ok', number[]]>;
  tidingsGroupInfo(...args: (string | number)[]): Promise<[string, string, number, number, string, number, number][]>;
  tidingsGroupRemove(...args: (string | number)[]): Promise<number>;
  tidingsGroupDeadLettersUnsent(...args: (string | number)[]): Promise<[[string, string[]][], number]>;
  tidingsZremIfScore(...args: (string | number)[]): Promise<number>;
  tidingsPruneChannel(...args: (string | number)[]): Promise<[number, number, number, number, number]>;
  tidingsRetryRound(...args: (string | number)[]): Promise<[string[], string[], 'ok' | 'gone' | 'trimmed']>;
  tidingsReadAfter(...args: (string | number)[]): Promise<[string, string, string, [string, string[]][]]>;
}

export type RedisClient = (Redis | Cluster) & TidingsCommands;

/** An entry as a stream command returns it, with the times it was handed out. */
export type GroupEntryReply = [id: string, fields: string[], deliveries: number];
export type GroupClaimReply = ['no-group'] | ['ok', GroupEntryReply[], string[], GroupEntryReply[], string, string];

const lua = (name: string) => readFileSync(new URL(`../lua/${name}.lua`, import.meta.url), 'utf8');
/** Helpers shared by the scripts (stream-id comparison), written once and prepended to each. */
const PRELUDE = lua('prelude');
const script = (name: string) => PRELUDE + lua(name);

/** Reconnect delays: exponential, capped, with full jitter so a fleet does not reconnect in step. */
export const reconnectDelay = (attempt: number): number => Math.random() * Math.min(2000, 50 * 2 ** attempt);

function nodeOptions(target: RedisTarget, name: string): RedisOptions {
  // Few retries per command: while Redis is away a publish should fail fast with 503, not hang.
  const base: RedisOptions = { connectionName: name, retryStrategy: reconnectDelay, maxRetriesPerRequest: 3 };
  if (target.kind === 'standalone') return base;
  return { ...base, password: target.password, tls: target.tls ? {} : undefined };
}

/** The command connection (standalone or Cluster) with Tidings' scripts registered, watched for silence. */
export function createRedisClient(target: RedisTarget, name: string): RedisClient {
  const client = connect(target, nodeOptions(target, name));
  if (client instanceof Cluster) watchClusterForSilence(client);
  else watchForSilence(client);
  return withScripts(client);
}

/**
 * A connection for BullMQ workers, which block on it and require commands that wait through a
 * reconnect (maxRetriesPerRequest null) rather than fail after a few tries. Not watched for
 * silence: a blocking command keeps it quiet on purpose.
 */
export function createJobsConnection(target: RedisTarget, name: string): Redis | Cluster {
  return connect(target, { ...nodeOptions(target, name), maxRetriesPerRequest: null });
}

function connect(target: RedisTarget, redisOptions: RedisOptions): Redis | Cluster {
  if (target.kind === 'standalone') return new Redis(target.url, redisOptions);
  return new Cluster([...target.nodes], {
    redisOptions,
    scaleReads: 'master',
    // ioredis' defaults give up long before a real failover finishes (see DESIGN-NOTES).
    maxRedirections: 64,
    retryDelayOnFailover: 300,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 300,
    clusterRetryStrategy: reconnectDelay,
    slotsRefreshTimeout: 2000,
  });
}

function withScripts(client: Redis | Cluster): RedisClient {
  client.defineCommand('tidingsAppend', { numberOfKeys: 5, lua: script('append') });
  client.defineCommand('tidingsMarkDelivered', { numberOfKeys: 1, lua: script('mark-delivered') });
  client.defineCommand('tidingsRecordReceipt', { numberOfKeys: 2, lua: script('record-receipt') });
  client.defineCommand('tidingsRefreshPresence', { numberOfKeys: 1, lua: script('refresh-presence') });
  client.defineCommand('tidingsTakeTokens', { numberOfKeys: 1, lua: script('take-tokens') });
  client.defineCommand('tidingsLeavePresence', { numberOfKeys: 1, lua: script('leave-presence') });
  client.defineCommand('tidingsSavePositions', { numberOfKeys: 1, lua: script('save-positions') });
  client.defineCommand('tidingsJoinChannel', { numberOfKeys: 3, lua: script('join-channel') });
  client.defineCommand('tidingsGroupPut', { numberOfKeys: 2, lua: script('group-put') });
  client.defineCommand('tidingsGroupClaim', { numberOfKeys: 4, lua: script('group-claim') });
  client.defineCommand('tidingsGroupAck', { numberOfKeys: 2, lua: script('group-ack') });
  client.defineCommand('tidingsGroupInfo', { numberOfKeys: 2, lua: script('group-info') });
  client.defineCommand('tidingsGroupRemove', { numberOfKeys: 3, lua: script('group-remove') });
  client.defineCommand('tidingsGroupDeadLettersUnsent', { numberOfKeys: 1, lua: script('group-dead-letters-unsent') });
  client.defineCommand('tidingsSavePatternPositions', { numberOfKeys: 2, lua: script('save-pattern-positions') });
  // Their keys are a device's index plus one record per pattern: the caller passes their number first.
  client.defineCommand('tidingsJoinPatterns', { lua: script('join-patterns') });
  client.defineCommand('tidingsRenewPatterns', { lua: script('renew-patterns') });
  client.defineCommand('tidingsKeepFilters', { numberOfKeys: 1, lua: script('keep-filters') });
  client.defineCommand('tidingsZremIfScore', { numberOfKeys: 1, lua: script('zrem-if-score') });
  client.defineCommand('tidingsPruneChannel', { numberOfKeys: 8, lua: script('prune-channel') });
  client.defineCommand('tidingsRetryRound', { numberOfKeys: 4, lua: script('retry-round') });
  client.defineCommand('tidingsReadAfter', { numberOfKeys: 2, lua: script('read-after') });
  return client as RedisClient;
}

/**
 * Opens a dedicated connection for pub/sub. Classic pub/sub reaches every node of a Cluster, so
 * any node will do; each call tries the next one, so a dead node is left behind.
 */
export function createSubscriberFactory(target: RedisTarget, name: string): () => Redis {
  let next = 0;
  return () => {
    const options: RedisOptions = {
      ...nodeOptions(target, name),
      autoResubscribe: false, // the live bus resubscribes itself, then backfills
      // The ready check sends INFO, which a connection that already subscribed may not send.
      enableReadyCheck: false,
      maxRetriesPerRequest: null,
    };
    let connection: Redis;
    if (target.kind === 'standalone') connection = new Redis(target.url, options);
    else {
      const node = target.nodes[next++ % target.nodes.length]!;
      // Give up on a node after a few tries so the bus moves on to another.
      connection = new Redis({ ...options, host: node.host, port: node.port, retryStrategy: (n) => (n > 3 ? null : reconnectDelay(n)) });
    }
    // Pub/sub is quiet when nothing is published: a half-open one would be a doorbell that never rings.
    watchForSilence(connection);
    return connection;
  };
}
