// Consumer groups from the client's side: manage a group, claim its events, settle them, or run
// a consumer loop that does all of it (acknowledge what the handler finished, give back what it
// threw on). Over HTTP, so any runtime with fetch can be a consumer.
import { createBackoff } from './backoff.js';
import type { Endpoint } from './endpoint.js';
import type { HttpApi } from './http-api.js';
import { isRecord, TidingsClientError } from './tidings-client-error.js';
import type { ClaimedEvent, ConsumeOptions, ConsumerGroupHandle, GroupClaim, GroupConsumer, GroupInfo, GroupSettings, Timers } from './types.js';

/** A claim waits this long for work by default, in seconds (the server caps it). */
const DEFAULT_WAIT_SECONDS = 25;

export class ConsumerGroupApi implements ConsumerGroupHandle {
  constructor(
    private readonly http: HttpApi,
    private readonly endpoint: Endpoint,
    private readonly timers: Timers,
    readonly channel: string,
    readonly group: string,
  ) {}

  async put(settings: GroupSettings = {}): Promise<GroupInfo & { created: boolean }> {
    return (await this.http.json('PUT', this.path(), settings)) as GroupInfo & { created: boolean };
  }

  async info(): Promise<GroupInfo> {
    return (await this.http.json('GET', this.path())) as GroupInfo;
  }

  async remove(): Promise<void> {
    await this.http.json('DELETE', this.path());
  }

  async claim(options: { consumer: string; count?: number; wait?: number }, signal?: AbortSignal): Promise<GroupClaim> {
    const answer = await this.http.json('POST', this.path('claim'), options, signal);
    if (!isRecord(answer) || !Array.isArray(answer.events) || !Array.isArray(answer.resets) || !Array.isArray(answer.dead)) {
      throw TidingsClientError.of('TIDINGS_CLIENT_BAD_RESPONSE', 'A claim answer needs `events`, `resets` and `dead`.');
    }
    return answer as unknown as GroupClaim;
  }

  ack(ids: readonly string[]): Promise<Record<string, 'acked' | 'unknown'>> {
    return this.settle('acks', ids);
  }

  nack(ids: readonly string[]): Promise<Record<string, 'acked' | 'unknown'>> {
    return this.settle('nacks', ids);
  }

  consume(handler: (event: ClaimedEvent) => unknown, options: ConsumeOptions): GroupConsumer {
    return runConsumer(this, this.timers, handler, options);
  }

  private async settle(action: 'acks' | 'nacks', ids: readonly string[]): Promise<Record<string, 'acked' | 'unknown'>> {
    const answer = await this.http.json('POST', this.path(action), { ids });
    if (!isRecord(answer) || !isRecord(answer.results)) throw TidingsClientError.of('TIDINGS_CLIENT_BAD_RESPONSE', 'An ack answer needs `results`.');
    return answer.results as Record<string, 'acked' | 'unknown'>;
  }

  private path(action?: string): string {
    return this.endpoint.channelPath(this.channel, 'groups', this.group, ...(action ? [action] : []));
  }
}

/**
 * Claims, hands each event to `handler` in order, acknowledges the ones it finished and gives back
 * the ones it threw on, until stopped. Errors of the server or the network go to `onError` and the
 * loop backs off; it never stops by itself.
 */
function runConsumer(api: ConsumerGroupApi, timers: Timers, handler: (event: ClaimedEvent) => unknown, options: ConsumeOptions): GroupConsumer {
  const backoff = createBackoff(options.reconnect);
  const aborting = new AbortController();
  let stopped = false;
  const report = (error: unknown) => options.onError?.(error instanceof Error ? error : new Error(String(error)));
  const pause = (ms: number) => new Promise<void>((resolve) => timers.setTimeout(resolve, ms));
  const loop = (async () => {
    while (!stopped) {
      let claim: GroupClaim;
      try {
        claim = await api.claim({ consumer: options.consumer, count: options.count ?? 10, wait: options.wait ?? DEFAULT_WAIT_SECONDS }, aborting.signal);
        backoff.reset();
      } catch (error) {
        if (stopped) break;
        report(error);
        await pause(backoff.next());
        continue;
      }
      for (const reset of claim.resets) options.onReset?.(reset);
      for (const dead of claim.dead) options.onDead?.(dead);
      const done: string[] = [];
      const failed: string[] = [];
      for (const event of claim.events) {
        if (stopped) {
          failed.push(event.id); // not handled: back to the group at once
          continue;
        }
        try {
          await handler(event);
          done.push(event.id);
        } catch (error) {
          report(error);
          failed.push(event.id);
        }
      }
      try {
        if (done.length > 0) await api.ack(done);
        if (failed.length > 0) await api.nack(failed);
      } catch (error) {
        report(error); // unsettled events come back after the visibility timeout
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      aborting.abort();
      await loop;
    },
  };
}
