import type { DeliveryLedger } from './delivery-ledger.js';

/**
 * Publishes numbered events round-robin over channels, one at a time, as a careful producer does:
 * each event has an idempotency key, and one that is refused (503 with Retry-After, 429) or whose
 * answer is lost (the connection dropped) is sent again with the same key until it gets its id. A
 * 201 — or 200 for a key seen before — goes into the ledger.
 */
export class SteadyPublisher {
  /** Attempts refused with a documented retryable answer (503, 429, each with Retry-After). */
  refused = 0;
  /** Attempts whose answer never came (connection refused, cut, or silent for 15 s). */
  failed = 0;
  /** Attempts answered with anything else (a 503 without Retry-After too): never expected. */
  readonly unexpected: string[] = [];
  /** Longest time one event took from its first attempt to its id, retries and stalls included. */
  slowestMs = 0;
  /** That time for every event published, in order. */
  readonly tookMs: number[] = [];
  private stopping = false;
  private sent = 0;

  constructor(
    private readonly name: string,
    private readonly url: string,
    private readonly channels: readonly string[],
    private readonly ledger: DeliveryLedger,
    private readonly paceMs: number,
    /** Publish `ack: true` events: each device that was a member owes a receipt. */
    private readonly ack = false,
    /** The data of event `n` (counting from 0), when the subscribers look for something in it. */
    private readonly dataOf: (n: number) => unknown = (n) => ({ publisher: this.name, n }),
  ) {}

  get published(): number {
    return this.sent;
  }

  /** Publishes `count` events (or until stop(), or until the time `untilMs`), then resolves. */
  async run(count: number, untilMs = Infinity): Promise<void> {
    for (let n = 0; n < count && !this.stopping && Date.now() < untilMs; n++) {
      await this.publishOne(this.channels[n % this.channels.length]!, `${this.name}-${n}`, n);
      this.sent += 1;
      if (this.paceMs > 0) await sleep(this.paceMs);
    }
  }

  stop(): void {
    this.stopping = true;
  }

  private async publishOne(channel: string, key: string, n: number): Promise<void> {
    const started = Date.now();
    const data = this.dataOf(n);
    for (;;) {
      let waitMs = 100;
      try {
        const res = await fetch(`${this.url}/v1/channels/${encodeURIComponent(channel)}/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ data, idempotencyKey: key, ...(this.ack ? { ack: true } : {}) }),
          // A careful producer gives up on an answer that does not come (a half-open connection) and sends again.
          signal: AbortSignal.timeout(REQUEST_LIMIT_MS),
        });
        const body = await res.text();
        if (res.status === 201 || res.status === 200) {
          this.ledger.recordPublished(channel, (JSON.parse(body) as { id: string }).id);
          this.tookMs.push(Date.now() - started);
          this.slowestMs = Math.max(this.slowestMs, Date.now() - started);
          return;
        }
        const retryAfter = res.headers.get('retry-after');
        if ((res.status === 503 || res.status === 429) && retryAfter !== null) {
          this.refused += 1;
          waitMs = 1000 * Number(retryAfter);
        } else {
          this.unexpected.push(`${res.status} ${body}`);
        }
      } catch {
        this.failed += 1; // the connection was refused, cut or silent: the event may or may not be stored, so send it again
      }
      await sleep(waitMs * (0.5 + Math.random() / 2));
    }
  }
}

const REQUEST_LIMIT_MS = 15_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
