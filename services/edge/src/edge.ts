import type { EdgeConfig } from '@tidings/config';
import { Hub } from '@tidings/core';
import { type Logger, type Metrics, type OpsServer, startOpsServer } from '@tidings/observability';
import { listen, loadUws, OutputFlusher } from '@tidings/transport-uws';
import { EdgeAuth } from './auth/auth.js';
import { readApiKeySeeds, seedApiKeys } from './auth/seed-api-keys.js';
import type { EdgeContext } from './context.js';
import { createRedisEngine, type Engine } from './engine.js';
import { ClaimWaiters } from './node/claim-waiters.js';
import { ConnectionLimits } from './node/connection-limits.js';
import { DeviceTracker } from './node/device-tracker.js';
import { createRouter, readinessOf } from './routes/router.js';
import { NodeReporter } from './node/node-reporter.js';
import { PresenceWatchers } from './node/presence-watchers.js';
import { SessionRegistry } from './sessions/session-registry.js';
import { SubscriptionCounts } from './node/subscription-counts.js';
import { loadStaticFiles } from './routes/static-files.js';
import { registerWebSocketRoute } from './routes/ws-route.js';
import { registerMqttRoute } from './routes/mqtt-route.js';
import { listenMqttTcp, type MqttTcpListener } from './mqtt/mqtt-tcp-listener.js';

export interface RunningEdge {
  readonly port: number;
  /** Port of the ops listener (/metrics, /healthz, /readyz), when --metrics-port is set. */
  readonly metricsPort: number | null;
  /** Port of the plain TCP MQTT listener, when --mqtt-port is set. */
  readonly mqttPort: number | null;
  /** Graceful: readiness off, stop accepting, finish publishes, close sessions in batches, close Redis. */
  stop(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 30_000;

/** The ops listener's port is taken or its address is not this machine's. */
export class OpsListenError extends Error {}

/** The composition root of an edge node: the one place that knows every concrete class. */
export async function startEdge(config: EdgeConfig, logger: Logger, metrics: Metrics, engine?: Engine): Promise<RunningEdge> {
  const uws = loadUws(config.allowJsFallback);
  const { log, bus, devices: deviceStore, groups, receipts, presence, nodes, apiKeys, rateLimiter, scheduleReceipts, isReady, stop: stopEngine } =
    engine ?? createRedisEngine(config, logger, metrics);
  const auth = await EdgeAuth.create(config, apiKeys);
  if (config.auth.apiKeysFile) await seedApiKeys(apiKeys, await readApiKeySeeds(config.auth.apiKeysFile, Date.now()));
  const presenceWatchers = new PresenceWatchers();
  const devices = new DeviceTracker({
    log,
    store: deviceStore,
    receipts,
    presence,
    node: config.nodeId,
    presenceRefreshMs: config.presence.refreshSeconds * 1000,
    membershipIdleMs: config.membership.idleSeconds * 1000,
    logger,
    presenceReported: (entries) => metrics.presenceEntries.set(entries),
  });
  const hub = new Hub({
    log,
    bus,
    now: Date.now,
    yieldTurn: setImmediate,
    schedule: (run, delayMs) => {
      const timer = setTimeout(run, delayMs);
      return () => clearTimeout(timer);
    },
    observer: {
      gapFilled: () => metrics.gapFillsTotal.inc(),
      feedsChanged: (count) => metrics.channelFeeds.set(count),
      fannedOut: (ageMs) => metrics.deliveryLatency.observe(Math.max(0, ageMs) / 1000),
      error: (error, context) => logger.warn({ err: error, context }, 'hub problem'),
    },
    redeliver: (redelivery) => devices.redeliver(redelivery),
    presenceChanged: (change) => presenceWatchers.notify(change),
  });

  let draining = false;
  const ctx: EdgeContext = {
    config,
    auth,
    log,
    hub,
    receipts,
    presence,
    nodes,
    groups,
    claimWaiters: new ClaimWaiters(hub),
    subscriptionCounts: new SubscriptionCounts(metrics.subscriptions),
    scheduleReceipts,
    devices,
    presenceWatchers,
    rateLimiter,
    connectionLimits: new ConnectionLimits(config.limits.maxConnectionsPerPrincipal, config.limits.maxConnectionsPerIp),
    metrics,
    logger,
    sessions: new SessionRegistry(),
    flusher: new OutputFlusher(),
    inFlight: { count: 0 },
    isDraining: () => draining,
    isStoreReady: isReady,
  };

  const app = uws.App();
  registerWebSocketRoute(ctx, app);
  registerMqttRoute(ctx, app);
  app.any('/*', createRouter(ctx, loadStaticFiles()));
  // The processes of a group share the port; a lone edge holds it, so a stray second one fails.
  const listening = await listen(uws, app, config.host, config.port, config.processes > 1 ? 'shared' : 'exclusive');
  let mqttTcp: MqttTcpListener | undefined;
  try {
    mqttTcp = config.mqtt.port === null ? undefined : await listenMqttTcp(ctx, config.host, config.mqtt.port);
  } catch (error) {
    listening.close();
    throw error;
  }
  let ops: OpsServer | undefined;
  try {
    ops = config.metrics.port === null ? undefined : await startOpsServer(config.metrics.host, config.metrics.port, { metrics: () => metrics.render(), contentType: metrics.contentType, readiness: () => readinessOf(ctx) });
  } catch (error) {
    listening.close();
    mqttTcp?.close();
    throw new OpsListenError(`cannot listen for /metrics on ${config.metrics.host}:${config.metrics.port}: ${error instanceof Error ? error.message : String(error)}`);
  }

  const reporter = new NodeReporter(nodes, config.nodeId, ctx.sessions, ctx.subscriptionCounts, config.presence.refreshSeconds * 1000, logger);
  const heartbeat = setInterval(() => ctx.sessions.heartbeat(), config.sse.heartbeatSeconds * 1000);
  const sweep = setInterval(() => hub.sweep(), SWEEP_INTERVAL_MS);

  return {
    port: listening.port,
    metricsPort: ops?.port ?? null,
    mqttPort: mqttTcp?.port ?? null,
    async stop() {
      draining = true;
      listening.close();
      mqttTcp?.close();
      const deadline = Date.now() + (config.shutdown.graceSeconds * 1000) / 2;
      while (ctx.inFlight.count > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      await ctx.sessions.closeAll(config.shutdown.closeBatchSize, Math.min(2000, (config.shutdown.graceSeconds * 1000) / 4));
      clearInterval(heartbeat);
      clearInterval(sweep);
      await ctx.devices.stop();
      await reporter.stop();
      await stopEngine();
      // Last: scrapes and probes see the drain to its end.
      await ops?.close();
    },
  };
}
