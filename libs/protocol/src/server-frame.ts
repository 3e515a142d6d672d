// Frames the server sends over WebSocket. Plain JSON.stringify, except the hot event frame,
// which splices in data that is already JSON text (serialised once at publish, sent to many).
import type { ErrorCode } from './errors.js';
import type { FrameRef } from './client-frame.js';
import type { JsonValue } from './json-value.js';
import type { StreamId } from './stream-id.js';

export type ResetReason = 'retention' | 'stream-lost';

export type ServerFrame =
  | { type: 'event'; channel: string; id: StreamId; event: string; data: JsonValue | string; subscription?: string }
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
  | { type: 'error'; code: ErrorCode; message: string; ref?: FrameRef }
  | { type: 'pong'; ref?: FrameRef };

export function encodeServerFrame(f: ServerFrame): string {
  return JSON.stringify(f);
}

/**
 * Same text as encodeServerFrame({ type: 'event', channel, id, event, data, subscription })
 * without parsing `dataJson`, which the caller guarantees is valid JSON text (it came from
 * JSON.stringify at publish time). The other fields are still escaped by JSON.stringify.
 */
export function encodeEventFrame(
  channel: string,
  id: StreamId,
  event: string,
  dataJson: string,
  subscription?: string,
): string {
  const head = `{"type":"event","channel":${JSON.stringify(channel)},"id":${JSON.stringify(id)},"event":${JSON.stringify(event)},"data":${dataJson}`;
  return subscription === undefined ? `${head}}` : `${head},"subscription":${JSON.stringify(subscription)}}`;
}
