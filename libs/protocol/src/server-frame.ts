// Frames the server sends over WebSocket. Plain JSON.stringify, except the hot event frame,
// which splices in data that is already JSON text (serialised once at publish, sent to many).
import type { ErrorCode } from './errors.js';
import type { FrameRef } from './client-frame.js';
import type { JsonValue } from './json-value.js';
import type { StreamId } from './stream-id.js';

/**
 * Why events are missing: `retention` trimmed them, `stream-lost` the channel's log was lost or
 * recreated, `membership-expired` a device came back after its membership on the channel (or its
 * durable pattern) lapsed, so its position was no longer kept.
 */
export type ResetReason = 'retention' | 'stream-lost' | 'membership-expired';

export type ServerFrame =
  | { type: 'event'; channel: string; id: StreamId; event: string; data: JsonValue | string; subscription?: string; ack?: true; redelivery?: true }
  | { type: 'subscribed'; channel: string; cursor: string; ref?: FrameRef }
  | { type: 'unsubscribed'; channel: string; ref?: FrameRef }
  | {
      type: 'reset';
      channel: string;
      subscription?: string;
      lostFrom: StreamId;
      lostTo: StreamId;
      reason: ResetReason;
    }
  | { type: 'published'; channel: string; id: StreamId; ref?: FrameRef }
  | { type: 'acked'; channel: string; id: StreamId; state: string; result: 'recorded' | 'unchanged'; ref?: FrameRef }
  /** The answer to groupAck and groupNack: per id, 'acked' or 'unknown' (not pending for the group). `claimed` is spliced by the edge. */
  | { type: 'groupAcked'; channel: string; group: string; results: Record<StreamId, 'acked' | 'unknown'>; ref?: FrameRef }
  /** `channel`: the subscription that ended with this error, when it is about one. */
  | { type: 'error'; code: ErrorCode; message: string; channel?: string; ref?: FrameRef }
  | { type: 'presence'; channel: string; device: string; node: string; action: 'join' | 'leave'; reason?: 'expired' }
  | { type: 'authed'; device?: string; expiresAt?: number; ref?: FrameRef }
  | { type: 'pong'; ref?: FrameRef };

export function encodeServerFrame(f: ServerFrame): string {
  return JSON.stringify(f);
}

/**
 * Same text as encodeServerFrame({ type: 'event', channel, id, event, data, subscription, ack })
 * without parsing `dataJson`, which the caller guarantees is valid JSON text (it came from
 * JSON.stringify at publish time). The other fields are still escaped by JSON.stringify.
 */
export function encodeEventFrame(
  channel: string,
  id: StreamId,
  event: string,
  dataJson: string,
  subscription?: string,
  ack?: boolean,
): string {
  const head = `{"type":"event","channel":${JSON.stringify(channel)},"id":${JSON.stringify(id)},"event":${JSON.stringify(event)},"data":${dataJson}`;
  const tail = `${subscription === undefined ? '' : `,"subscription":${JSON.stringify(subscription)}`}${ack ? ',"ack":true' : ''}}`;
  return head + tail;
}

/**
 * An ack event sent again because the device has not answered it (a worker retry): out of
 * stream order, so clients must not move their position by it.
 */
export function encodeRedeliveryFrame(channel: string, id: StreamId, event: string, dataJson: string): string {
  return `${encodeEventFrame(channel, id, event, dataJson, undefined, true).slice(0, -1)},"redelivery":true}`;
}
