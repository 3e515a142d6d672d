import type { RedisClient } from './redis-client.js';

/**
 * Times a PING on a shared connection every `everyMs`: how long Redis takes to answer, queueing
 * on that connection included, measured off the hot path (no timer per command). A probe never
 * overlaps the previous one, so a stalled Redis yields one slow sample rather than a pile-up.
 */
export class RedisPingProbe {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly observe: (seconds: number) => void,
    private readonly everyMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.probe(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async probe(): Promise<void> {
    if (this.running || this.redis.status !== 'ready') return;
    this.running = true;
    const started = process.hrtime.bigint();
    try {
      await this.redis.ping();
      this.observe(Number(process.hrtime.bigint() - started) / 1e9);
    } catch {
      // Connection errors are counted by the client's 'error' listener; a failed ping has no duration.
    } finally {
      this.running = false;
    }
  }
}
