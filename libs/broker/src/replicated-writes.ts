import { TidingsError } from '@tidings/protocol';
import { type Cluster, ReplyError } from 'ioredis';
import { keySlot } from './key-slot.js';
import { createRedisClient, type RedisClient, type RedisTarget } from './redis-client.js';

export interface ReplicaPolicy {
  /** Replicas that must have a publish before it is answered 201. */
  readonly replicas: number;
  /** How long WAIT may block for them. */
  readonly timeoutMs: number;
}

/** Dedicated connections per master: WAIT blocks its connection, so a few publishes wait side by side. */
const CONNECTIONS_PER_MASTER = 4;

/**
 * Runs writes that must reach replicas before they count. WAIT counts the writes of the
 * connection it is sent on and blocks that connection, so each such write goes over a dedicated
 * connection to the master of its key's slot (never the shared, pipelined one), followed there by
 * WAIT. Fewer replicas than asked within the timeout: the write happened on the master but is not
 * known to be replicated, a retryable 503 (a retry with the same idempotency key writes nothing twice).
 */
export class ReplicatedWrites {
  private readonly pools = new Map<string, ConnectionPool>();

  constructor(
    private readonly target: RedisTarget,
    /** The shared client: in a Cluster, its slot map says which node is a key's master. */
    private readonly shared: RedisClient,
    private readonly policy: ReplicaPolicy,
    /** Connection problems of the dedicated connections (ioredis reconnects by itself). */
    private readonly onError: (error: unknown) => void,
  ) {}

  async run<T>(key: string, write: (connection: RedisClient) => Promise<T>): Promise<T> {
    const pool = this.poolFor(this.masterOf(key));
    const connection = await pool.take();
    try {
      let result: T;
      let acknowledged: number;
      try {
        result = await write(connection);
        acknowledged = Number(await connection.call('WAIT', this.policy.replicas, this.policy.timeoutMs));
      } catch (error) {
        if (!isTopologyError(error)) throw error;
        // The master died or moved (a failover): learn the new map, and let the publisher retry.
        if (this.target.kind === 'cluster') this.refreshSlots();
        throw new TidingsError('TIDINGS_UNAVAILABLE', 'the Redis master of this channel is unreachable or has moved; retry shortly with the same idempotency key');
      }
      if (acknowledged < this.policy.replicas) {
        throw new TidingsError(
          'TIDINGS_UNAVAILABLE',
          `stored, but not known to be replicated (${acknowledged} of ${this.policy.replicas} replicas within ${this.policy.timeoutMs} ms); retry with the same idempotency key`,
        );
      }
      return result;
    } finally {
      pool.give(connection);
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }

  private refreshSlots(): void {
    (this.shared as unknown as Cluster).refreshSlotsCache((error) => {
      if (error) this.onError(error);
    });
  }

  /** "host:port" of the key's master; '' for a standalone Redis (its one server). */
  private masterOf(key: string): string {
    if (this.target.kind === 'standalone') return '';
    const owners = (this.shared as unknown as Cluster).slots[keySlot(key)];
    if (!owners?.[0]) throw new TidingsError('TIDINGS_UNAVAILABLE', 'the Redis Cluster has no known master for this channel yet; retry shortly');
    return owners[0];
  }

  private poolFor(master: string): ConnectionPool {
    let pool = this.pools.get(master);
    if (!pool) {
      const url = this.target.kind === 'standalone' ? this.target.url : nodeUrl(this.target, master);
      pool = new ConnectionPool(() => {
        const connection = createRedisClient({ kind: 'standalone', url }, `tidings-replicated:${master || 'standalone'}`);
        connection.on('error', this.onError);
        return connection;
      });
      this.pools.set(master, pool);
    }
    return pool;
  }
}

/** A connection that failed or a node that is not (or no longer) the slot's master; anything else is a real error. */
function isTopologyError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (!(error instanceof ReplyError)) return true;
  return /^(MOVED|ASK|CLUSTERDOWN|TRYAGAIN|LOADING|READONLY|MASTERDOWN)\b/.test(error.message);
}

function nodeUrl(target: Extract<RedisTarget, { kind: 'cluster' }>, master: string): string {
  const auth = target.password === undefined ? '' : `:${encodeURIComponent(target.password)}@`;
  return `${target.tls ? 'rediss' : 'redis'}://${auth}${master}`;
}

/** At most CONNECTIONS_PER_MASTER connections, opened when first needed; callers queue for a free one. */
class ConnectionPool {
  private readonly idle: RedisClient[] = [];
  private readonly all: RedisClient[] = [];
  private readonly waiting: ((connection: RedisClient) => void)[] = [];

  constructor(private readonly open: () => RedisClient) {}

  take(): Promise<RedisClient> {
    const idle = this.idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.all.length < CONNECTIONS_PER_MASTER) {
      const connection = this.open();
      this.all.push(connection);
      return Promise.resolve(connection);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  give(connection: RedisClient): void {
    const next = this.waiting.shift();
    if (next) next(connection);
    else this.idle.push(connection);
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((connection) => connection.quit().catch(() => connection.disconnect())));
  }
}
