/** A long-lived connection the node must be able to reach: heartbeats and shutdown. */
export interface Session {
  readonly transport: 'sse' | 'ws' | 'mqtt';
  /** When its credentials stop being valid, ms since the epoch; undefined for never. */
  readonly expiresAt: number | undefined;
  /** The node's tick (`now`, ms since the epoch): SSE writes its heartbeat, MQTT checks its keep-alive. */
  heartbeat(now: number): void;
  /** Tells the client its token expired and closes (it fetches a new one and resumes). */
  expire(): void;
  /** Closes for shutdown, telling the client to come back (elsewhere) soon. */
  closeForShutdown(retryMs: number): void;
}

/**
 * The open sessions of this node. One timer drives every heartbeat and every token-expiry check,
 * never one per connection (so a token is honoured up to one heartbeat interval past its exp).
 */
export class SessionRegistry {
  private readonly sessions = new Set<Session>();

  get size(): number {
    return this.sessions.size;
  }

  add(session: Session): void {
    this.sessions.add(session);
  }

  remove(session: Session): void {
    this.sessions.delete(session);
  }

  countByTransport(): { sse: number; ws: number; mqtt: number } {
    const counts = { sse: 0, ws: 0, mqtt: 0 };
    for (const session of this.sessions) counts[session.transport] += 1;
    return counts;
  }

  heartbeat(now: number = Date.now()): void {
    for (const session of this.sessions) {
      if (session.expiresAt !== undefined && session.expiresAt <= now) {
        this.sessions.delete(session);
        session.expire();
      } else {
        session.heartbeat(now);
      }
    }
  }

  /**
   * Closes every session in batches spread over `spreadMs`, each client told a different retry
   * delay, so a drained node does not turn into a reconnect storm on its neighbours.
   */
  async closeAll(batchSize: number, spreadMs: number, random: () => number = Math.random): Promise<void> {
    const all = [...this.sessions];
    const batches = Math.max(1, Math.ceil(all.length / batchSize));
    const pause = Math.min(100, spreadMs / batches);
    for (let i = 0; i < all.length; i += batchSize) {
      for (const session of all.slice(i, i + batchSize)) {
        this.sessions.delete(session);
        session.closeForShutdown(Math.round(250 + random() * spreadMs));
      }
      if (i + batchSize < all.length) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
