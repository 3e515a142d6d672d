import type { Cluster, Redis } from 'ioredis';

export interface SilenceLimits {
  /** A connection Redis has sent nothing on for this long is asked for a PING. */
  readonly quietMs: number;
  /** One still silent this long after that PING is dropped and opened again. */
  readonly silentMs: number;
}

/**
 * Well above anything a healthy Redis keeps a connection waiting (a WAIT of --publish-replicas
 * included, 1 s by default), so a busy connection is never dropped: bytes arriving of any kind
 * count as life, and only a connection with nothing at all for 8 s is judged dead.
 */
export const SILENCE_LIMITS: SilenceLimits = { quietMs: 3000, silentMs: 5000 };

/**
 * Finds half-open connections: ones whose far end is gone without a FIN or RST (a NAT or
 * firewall that dropped the flow, a host that vanished). TCP itself would wait hours, and every
 * command on the connection — a publish, or the pub/sub doorbell — would hang with it. A dead one
 * gets an 'error' (logged and counted by the connection's listeners) and is reconnected, which
 * resends its unanswered commands and resubscribes its live channels.
 */
export function watchForSilence(connection: Redis, limits: SilenceLimits = SILENCE_LIMITS): void {
  let heardAt = Date.now();
  let pingedAt: number | undefined;
  const heard = () => {
    heardAt = Date.now();
    pingedAt = undefined;
  };
  connection.on('connect', () => {
    heard();
    connection.stream.on('data', heard);
  });
  const timer = setInterval(() => {
    if (connection.status !== 'ready') return;
    const now = Date.now();
    if (pingedAt === undefined && now - heardAt >= limits.quietMs) {
      pingedAt = now;
      // Judged by the bytes that arrive, not by this reply: a failed PING is the reconnect's to report.
      connection.ping().catch(() => undefined);
    } else if (pingedAt !== undefined && now - pingedAt >= limits.silentMs) {
      pingedAt = undefined;
      connection.emit('error', new Error(`no answer from Redis for ${now - heardAt} ms: reconnecting (a half-open connection)`));
      connection.disconnect(true);
    }
  }, Math.min(limits.quietMs, limits.silentMs) / 4);
  timer.unref();
  connection.once('end', () => clearInterval(timer));
}

/** Watches every node connection a Cluster client opens, as it opens them. */
export function watchClusterForSilence(cluster: Cluster, limits: SilenceLimits = SILENCE_LIMITS): void {
  cluster.on('+node', (node: Redis) => watchForSilence(node, limits));
}
