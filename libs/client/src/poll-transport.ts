// Long-polling: one request at a time per subscribe() call, each answered at once when events
// exist or after the server's timeout with none. The cursor in each answer is the next `since`.
import { subscriptionQuery } from './endpoint.js';
import type { Backoff } from './backoff.js';
import type { SubscriptionSink } from './subscription-sink.js';
import { errorFromResponse, isRecord, isTerminalStatus, parseJson, TidingsClientError } from './tidings-client-error.js';
import { bearer, curedByFreshToken, toEvent, toReset, type Transport, type TransportContext, type TransportSubscription } from './transport.js';
import type { FetchLike, TimerHandle } from './types.js';

export const DEFAULT_POLL_TIMEOUT_SEC = 25;
// How much longer than the server's timeout an answer may take before the request is presumed lost.
const GRACE_MS = 15_000;

export class PollTransport implements Transport {
  private readonly loops = new Set<PollLoop>();
  private readonly fetch: FetchLike;

  constructor(
    private readonly ctx: TransportContext,
    private readonly timeoutSec = DEFAULT_POLL_TIMEOUT_SEC,
  ) {
    if (!ctx.fetch) throw TidingsClientError.of('TIDINGS_CLIENT_NO_TRANSPORT', 'Long-polling needs fetch.');
    this.fetch = ctx.fetch;
  }

  subscribe(channels: readonly string[], sink: SubscriptionSink, since: string | undefined): TransportSubscription {
    const loop = new PollLoop(this.ctx, this.fetch, channels, sink, since, this.timeoutSec, () => this.loops.delete(loop));
    this.loops.add(loop);
    sink.state('connecting');
    if (sink.wantsPresence) sink.warn(TidingsClientError.of('TIDINGS_CLIENT_NO_PRESENCE'));
    void loop.run();
    return loop;
  }

  close(): void {
    for (const loop of this.loops) loop.close();
    this.loops.clear();
  }
}

class PollLoop implements TransportSubscription {
  private readonly backoff: Backoff;
  private controller: AbortController | undefined;
  private timer: TimerHandle | undefined;
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly ctx: TransportContext,
    private readonly fetch: FetchLike,
    private readonly channels: readonly string[],
    private readonly sink: SubscriptionSink,
    public cursor: string | undefined,
    private readonly timeoutSec: number,
    private readonly onDone: () => void,
  ) {
    this.backoff = ctx.newBackoff();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.controller?.abort();
    if (this.timer !== undefined) this.ctx.timers.clearTimeout(this.timer);
    this.wake?.();
    this.onDone();
  }

  async run(): Promise<void> {
    while (!this.closed) {
      const outcome = await this.pollOnce();
      if (this.closed) return;
      if (outcome === 'ok') continue;
      if (outcome instanceof Error) {
        this.close();
        this.sink.fail(outcome);
        return;
      }
      this.sink.state('connecting');
      await this.sleep(this.backoff.next());
    }
  }

  /** 'ok', 'retry' after a transient failure, or the error that ends the subscription. */
  private async pollOnce(): Promise<'ok' | 'retry' | TidingsClientError> {
    const query = [...subscriptionQuery(this.channels, this.ctx.device), ['timeout', String(this.timeoutSec)] as [string, string]];
    if (this.cursor !== undefined) query.push(['since', this.cursor]);
    const controller = new AbortController();
    this.controller = controller;
    const watchdog = this.ctx.timers.setTimeout(() => controller.abort(), this.timeoutSec * 1000 + GRACE_MS);
    let status: number;
    let text: string;
    try {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (this.ctx.token) headers['authorization'] = await bearer(this.ctx.token);
      const res = await this.fetch(this.ctx.endpoint.http('/v1/poll', query), {
        headers,
        signal: controller.signal,
        cache: 'no-store',
      });
      if (!res.ok) {
        if (isTerminalStatus(res.status)) {
          const error = await errorFromResponse(res);
          return curedByFreshToken(error, this.ctx.token) ? 'retry' : error;
        }
        await res.body?.cancel().catch(() => undefined);
        return 'retry';
      }
      status = res.status;
      text = await res.text();
    } catch {
      // Network failure, cut-off answer or the watchdog: poll again after a backoff.
      return 'retry';
    } finally {
      this.ctx.timers.clearTimeout(watchdog);
    }
    return this.deliver(parseJson(text), status);
  }

  private deliver(body: unknown, status: number): 'ok' | 'retry' {
    if (!isRecord(body) || typeof body.cursor !== 'string' || !Array.isArray(body.events)) {
      this.sink.warn(TidingsClientError.of('TIDINGS_CLIENT_BAD_RESPONSE', 'A poll answer needs `events` and `cursor`.', { status }));
      return 'retry';
    }
    this.backoff.reset();
    this.sink.state('open');
    for (const r of Array.isArray(body.resets) ? body.resets : []) {
      const notice = toReset(r);
      if (notice) this.sink.reset(notice);
    }
    for (const e of body.events) {
      const event = toEvent(e);
      if (event) this.sink.event(event);
    }
    // Closed from a callback halfway through: keep the old cursor so nothing undelivered is skipped.
    if (!this.closed) this.cursor = body.cursor;
    return 'ok';
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = this.ctx.timers.setTimeout(() => {
        this.timer = undefined;
        this.wake = undefined;
        resolve();
      }, ms);
    });
  }
}
