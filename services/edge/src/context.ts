import type { EdgeConfig } from '@tidings/config';
import type { ConsumerGroups, EventLog, Hub, NodeRegistry, PresenceStore, RateLimiter, ReceiptStore } from '@tidings/core';
import type { Logger, Metrics } from '@tidings/observability';
import type { StreamId } from '@tidings/protocol';
import type { OutputFlusher } from '@tidings/transport-uws';
import type { EdgeAuth } from './auth/auth.js';
import type { ClaimWaiters } from './node/claim-waiters.js';
import type { ConnectionLimits } from './node/connection-limits.js';
import type { DeviceTracker } from './node/device-tracker.js';
import type { PresenceWatchers } from './node/presence-watchers.js';
import type { SessionRegistry } from './sessions/session-registry.js';
import type { SubscriptionCounts } from './node/subscription-counts.js';

/** What every route handler may use; assembled once in edge.ts. */
export interface EdgeContext {
  readonly config: EdgeConfig;
  readonly auth: EdgeAuth;
  readonly log: EventLog;
  readonly hub: Hub;
  readonly receipts: ReceiptStore;
  readonly presence: PresenceStore;
  readonly nodes: NodeRegistry;
  readonly groups: ConsumerGroups;
  /** Long-polling claims, woken by the live feed of their channel. */
  readonly claimWaiters: ClaimWaiters;
  /** Hands an ack event with devices to answer to the worker. */
  scheduleReceipts(channel: string, id: StreamId): Promise<void>;
  readonly subscriptionCounts: SubscriptionCounts;
  readonly devices: DeviceTracker;
  readonly presenceWatchers: PresenceWatchers;
  readonly rateLimiter: RateLimiter;
  readonly connectionLimits: ConnectionLimits;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly sessions: SessionRegistry;
  /** Writes every connection's queued output once per event-loop turn. */
  readonly flusher: OutputFlusher;
  /** Publishes under way; shutdown waits for them. */
  readonly inFlight: { count: number };
  isDraining(): boolean;
  isStoreReady(): boolean;
}
