// The composition root of the SDK: picks a transport, wires the injectables, validates input.
import { isChannel, isGroupName, parseSubscription } from '@tidings/protocol';
import { createBackoff } from './backoff.js';
import { ConsumerGroupApi } from './consumer-group.js';
import { Endpoint } from './endpoint.js';
import { HttpApi } from './http-api.js';
import { PollTransport } from './poll-transport.js';
import { SseTransport } from './sse-transport.js';
import { cursorKey, StoredCursor } from './stored-cursor.js';
import { SubscriptionSink } from './subscription-sink.js';
import { TidingsClientError } from './tidings-client-error.js';
import type { Transport, TransportContext, TransportSubscription } from './transport.js';
import type {
  ClientOptions,
  ClientSubscription,
  EventSourceConstructor,
  FetchLike,
  TidingsClient,
  Timers,
  TransportName,
  WebSocketConstructor,
} from './types.js';
import { WsTransport } from './ws-transport.js';

interface Available {
  readonly WebSocket: WebSocketConstructor | undefined;
  readonly EventSource: EventSourceConstructor | undefined;
  readonly fetch: FetchLike | undefined;
}

export function createClient(options: ClientOptions): TidingsClient {
  const endpoint = new Endpoint(options.url);
  const globals = globalThis as { fetch?: FetchLike; EventSource?: EventSourceConstructor; WebSocket?: WebSocketConstructor };
  const available: Available = {
    WebSocket: options.WebSocket ?? globals.WebSocket,
    EventSource: options.EventSource ?? globals.EventSource,
    // Unbound, the browser's fetch throws "Illegal invocation".
    fetch: options.fetch ?? (typeof globals.fetch === 'function' ? globals.fetch.bind(globalThis) : undefined),
  };
  const random = options.random ?? Math.random;
  const tokenOption = options.token;
  const token = tokenOption === undefined ? undefined : async () => (typeof tokenOption === 'string' ? tokenOption : tokenOption());
  const ctx: TransportContext = {
    token,
    endpoint,
    device: options.device,
    timers: options.timers ?? defaultTimers(),
    fetch: available.fetch,
    newBackoff: () => createBackoff({ ...options.reconnect, random }),
  };
  createBackoff({ ...options.reconnect, random }); // fail fast on bad reconnect settings
  const name = chooseTransport(options.transport ?? 'auto', available);
  const transport = buildTransport(name, ctx, available, options);
  const http = available.fetch ? new HttpApi(endpoint, available.fetch, options.device, token) : undefined;
  const open = new Set<SubscriptionSink>();
  let closed = false;

  function requireHttp(): HttpApi {
    if (closed) throw TidingsClientError.of('TIDINGS_CLIENT_CLOSED');
    if (!http) throw TidingsClientError.of('TIDINGS_CLIENT_NO_TRANSPORT', 'HTTP calls need fetch.');
    return http;
  }

  return {
    transport: name,

    subscribe(channels, onEvent, opts = {}): ClientSubscription {
      if (closed) throw TidingsClientError.of('TIDINGS_CLIENT_CLOSED');
      const list = validSubscriptions(channels);
      // Filled in once transport.subscribe() returns; it may close the sink before that.
      const holder: { sub?: TransportSubscription } = {};
      const stored = options.cursorStorage
        ? new StoredCursor(options.cursorStorage, cursorKey(options.url, options.device, list), (cause) =>
            sink.warn(TidingsClientError.of('TIDINGS_CLIENT_STORAGE', undefined, { cause })),
          )
        : undefined;
      const keep = stored ? () => stored.save(() => holder.sub?.cursor) : undefined;
      const sink = new SubscriptionSink({
        onEvent: keep
          ? (event) => {
              keep();
              onEvent(event);
            }
          : onEvent,
        ...(opts.onReset || keep
          ? {
              onReset: (notice) => {
                keep?.();
                opts.onReset?.(notice);
              },
            }
          : {}),
        ...(opts.onState ? { onState: opts.onState } : {}),
        ...(opts.onError ? { onError: opts.onError } : {}),
        ...(opts.onPresence ? { onPresence: opts.onPresence } : {}),
        onClosed: () => {
          open.delete(sink);
          holder.sub?.close();
        },
      });
      open.add(sink);
      const handle = transport.subscribe(list, sink, opts.since ?? stored?.load());
      holder.sub = handle;
      if (sink.closed) handle.close();
      return {
        get cursor() {
          return handle.cursor;
        },
        close: () => sink.close(),
      };
    },

    async publish(channel, data, opts) {
      if (!isChannel(channel)) throw invalidChannel(channel, 'publish to');
      return requireHttp().publish(channel, data, opts);
    },

    async ack(channel, id, opts) {
      if (!isChannel(channel)) throw invalidChannel(channel, 'acknowledge on');
      return requireHttp().ack(channel, id, opts);
    },

    async receipts(channel, id, page = {}) {
      if (!isChannel(channel)) throw invalidChannel(channel, 'read the receipts of');
      return requireHttp().receipts(channel, id, page);
    },

    async presence(channel) {
      if (!isChannel(channel)) throw invalidChannel(channel, 'ask for the presence of');
      return requireHttp().presence(channel);
    },

    group(channel, group) {
      if (!isChannel(channel)) throw invalidChannel(channel, 'consume from');
      if (!isGroupName(group)) throw new TidingsClientError('TIDINGS_GROUP_INVALID', `Group names are 1-64 characters of A-Z a-z 0-9 _ . : @ -, not ${JSON.stringify(group)}.`, 400);
      return new ConsumerGroupApi(requireHttp(), endpoint, ctx.timers, channel, group);
    },

    close() {
      if (closed) return;
      closed = true;
      for (const sink of [...open]) sink.close();
      transport.close();
    },
  };
}

export function chooseTransport(wanted: TransportName | 'auto', available: Available): TransportName {
  const can: Record<TransportName, boolean> = {
    ws: available.WebSocket !== undefined,
    sse: available.EventSource !== undefined || available.fetch !== undefined,
    poll: available.fetch !== undefined,
  };
  if (wanted !== 'auto') {
    if (can[wanted]) return wanted;
    throw TidingsClientError.of('TIDINGS_CLIENT_NO_TRANSPORT', `Transport '${wanted}' is not available here; inject its constructor.`);
  }
  const found = (['ws', 'sse', 'poll'] as const).find((t) => can[t]);
  if (!found) throw TidingsClientError.of('TIDINGS_CLIENT_NO_TRANSPORT');
  return found;
}

function buildTransport(name: TransportName, ctx: TransportContext, available: Available, options: ClientOptions): Transport {
  switch (name) {
    case 'ws':
      if (!available.WebSocket) throw TidingsClientError.of('TIDINGS_CLIENT_NO_TRANSPORT');
      return new WsTransport(ctx, available.WebSocket, options.heartbeatMs);
    case 'sse':
      return new SseTransport(ctx, available.EventSource);
    case 'poll':
      return new PollTransport(ctx, options.pollTimeoutSec);
  }
}

function validSubscriptions(channels: string | string[]): string[] {
  const list = [...new Set(typeof channels === 'string' ? [channels] : channels)];
  if (list.length === 0) throw new TidingsClientError('TIDINGS_CHANNEL_INVALID', 'subscribe() needs at least one channel or pattern.', 400);
  for (const s of list) {
    try {
      parseSubscription(s);
    } catch (cause) {
      const code = isCoded(cause) ? cause.code : 'TIDINGS_CHANNEL_INVALID';
      throw new TidingsClientError(code, cause instanceof Error ? cause.message : `invalid subscription ${JSON.stringify(s)}`, 400, { cause });
    }
  }
  return list;
}

function invalidChannel(channel: string, what: string): TidingsClientError {
  return new TidingsClientError(
    'TIDINGS_CHANNEL_INVALID',
    `Cannot ${what} ${JSON.stringify(channel)}: not a channel (1-200 of A-Z a-z 0-9 _ - . : @ /, no wildcards).`,
    400,
  );
}

function isCoded(e: unknown): e is { code: string } {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string';
}

function defaultTimers(): Timers {
  return {
    setTimeout: (run, ms) => globalThis.setTimeout(run, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
  };
}
