// One SSE stream per subscribe() call, carrying all of its channels. `uniform=1` makes every
// event arrive as type 'message' (the publisher's name is in the JSON), so one listener sees
// them all and a publisher's event can never pass for a `reset`.
import { subscriptionQuery } from './endpoint.js';
import { FetchSseSource } from './fetch-sse-source.js';
import { NativeSseSource } from './native-sse-source.js';
import type { SseMessage } from './sse-parser.js';
import type { SseSource, SseSourceHandlers } from './sse-source.js';
import type { SubscriptionSink } from './subscription-sink.js';
import { parseJson, TidingsClientError } from './tidings-client-error.js';
import { toEvent, toPresence, toReset, type Transport, type TransportContext, type TransportSubscription } from './transport.js';
import type { EventSourceConstructor } from './types.js';

export class SseTransport implements Transport {
  private readonly sources = new Set<SseSource>();

  constructor(
    private readonly ctx: TransportContext,
    private readonly EventSource: EventSourceConstructor | undefined,
  ) {
    if (!EventSource && !ctx.fetch) throw TidingsClientError.of('TIDINGS_CLIENT_NO_TRANSPORT', 'SSE needs EventSource or fetch.');
  }

  subscribe(channels: readonly string[], sink: SubscriptionSink, since: string | undefined): TransportSubscription {
    const presence: [string, string][] = sink.wantsPresence ? [['presence', '1']] : [];
    const url = this.ctx.endpoint.http('/v1/sse', [...subscriptionQuery(channels, this.ctx.device), ['uniform', '1'], ...presence]);
    const handlers: SseSourceHandlers = {
      open: () => sink.state('open'),
      connecting: () => sink.state('connecting'),
      message: (m) => dispatch(m, sink),
      failed: (error) => {
        this.sources.delete(source);
        sink.fail(error);
      },
    };
    sink.state('connecting');
    const common = {
      url,
      timers: this.ctx.timers,
      backoff: this.ctx.newBackoff(),
      handlers,
      ...(since === undefined ? {} : { lastEventId: since }),
      ...(this.ctx.token ? { token: this.ctx.token } : {}),
    };
    const source: SseSource = this.EventSource
      ? new NativeSseSource({ ...common, EventSource: this.EventSource, fetch: this.ctx.fetch, types: ['message', 'reset', 'presence'] })
      : new FetchSseSource({ ...common, fetch: this.requireFetch() });
    this.sources.add(source);
    return {
      get cursor() {
        return source.lastEventId ?? since;
      },
      close: () => {
        this.sources.delete(source);
        source.close();
      },
    };
  }

  close(): void {
    for (const source of this.sources) source.close();
    this.sources.clear();
  }

  private requireFetch() {
    const fetch = this.ctx.fetch;
    if (!fetch) throw TidingsClientError.of('TIDINGS_CLIENT_NO_TRANSPORT', 'SSE needs EventSource or fetch.');
    return fetch;
  }
}

function dispatch(message: SseMessage, sink: SubscriptionSink): void {
  if (message.type !== 'message' && message.type !== 'reset' && message.type !== 'presence') return;
  const json = parseJson(message.data);
  if (message.type === 'presence') {
    const presence = toPresence(json);
    if (presence) sink.presence(presence);
    else sink.warn(TidingsClientError.of('TIDINGS_CLIENT_BAD_RESPONSE', 'A presence event without channel, device and action.'));
    return;
  }
  if (message.type === 'reset') {
    const notice = toReset(json);
    if (notice) sink.reset(notice);
    else sink.warn(TidingsClientError.of('TIDINGS_CLIENT_BAD_RESPONSE', 'A reset event without a channel.'));
    return;
  }
  const event = toEvent(json);
  if (event) sink.event(event);
  else sink.warn(TidingsClientError.of('TIDINGS_CLIENT_BAD_RESPONSE', 'An SSE event whose data is not {channel, id, event, data}.'));
}
