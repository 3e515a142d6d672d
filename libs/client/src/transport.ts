// What every transport offers the client, and the shapes they all receive on the wire.
import type { Backoff } from './backoff.js';
import type { Endpoint } from './endpoint.js';
import { isRecord, type TidingsClientError } from './tidings-client-error.js';
import type { SubscriptionSink } from './subscription-sink.js';
import type { FetchLike, PresenceEvent, ResetNotice, TidingsEvent, Timers } from './types.js';

export interface TransportSubscription {
  readonly cursor: string | undefined;
  close(): void;
}

export interface Transport {
  /** `channels` are validated and distinct. The transport reports through `sink` only. */
  subscribe(channels: readonly string[], sink: SubscriptionSink, since: string | undefined): TransportSubscription;
  close(): void;
}

/** Where credentials come from: called for every connection and request, so it may renew them. */
export type TokenSource = () => Promise<string>;

/** A refusal that a fresh token can cure, when there is a token source to ask. */
export function curedByFreshToken(error: TidingsClientError, token: TokenSource | undefined): boolean {
  return token !== undefined && error.code === 'TIDINGS_TOKEN_EXPIRED';
}

/** The `authorization` header value, with a token fresh from the source. */
export async function bearer(token: TokenSource): Promise<string> {
  return `Bearer ${await token()}`;
}

/** What a transport needs from its surroundings; all of it injectable. */
export interface TransportContext {
  readonly token: TokenSource | undefined;
  readonly endpoint: Endpoint;
  readonly device: string | undefined;
  readonly timers: Timers;
  readonly newBackoff: () => Backoff;
  readonly fetch: FetchLike | undefined;
}

/** `{ channel, id, event, data }` as SSE data, long-poll entries and WebSocket `event` frames carry it. */
export function toEvent(v: unknown): TidingsEvent | undefined {
  if (!isRecord(v) || typeof v.channel !== 'string' || typeof v.id !== 'string') return undefined;
  const event: TidingsEvent = { channel: v.channel, id: v.id, event: typeof v.event === 'string' ? v.event : 'message', data: v.data };
  return { ...event, ...(v.ack === true ? { ack: true } : {}), ...(v.redelivery === true ? { redelivery: true } : {}) };
}

export function toReset(v: unknown): ResetNotice | undefined {
  if (!isRecord(v) || typeof v.channel !== 'string') return undefined;
  return {
    channel: v.channel,
    lostFrom: String(v.lostFrom ?? ''),
    lostTo: String(v.lostTo ?? ''),
    reason: typeof v.reason === 'string' ? v.reason : 'unknown',
  };
}

/** `{ channel, device, node, action, reason? }` as SSE `presence` events and WebSocket `presence` frames carry it. */
export function toPresence(v: unknown): PresenceEvent | undefined {
  if (!isRecord(v) || typeof v.channel !== 'string' || typeof v.device !== 'string' || (v.action !== 'join' && v.action !== 'leave')) return undefined;
  const event: PresenceEvent = { channel: v.channel, device: v.device, node: typeof v.node === 'string' ? v.node : '', action: v.action };
  return v.reason === 'expired' ? { ...event, reason: 'expired' } : event;
}
