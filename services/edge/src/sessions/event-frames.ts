// How events look on the wire, built once per event (or per batch) where a connection first needs
// them and shared by every other connection: each builder is a key of NodeEvent.derive /
// EventBatch.derive. Bytes, not strings, so no connection re-encodes the same text to UTF-8.
import { type EventBatch, exactCursor, type LoggedEvent, type NodeEvent } from '@tidings/core';
import { encodeEventFrame, encodeRedeliveryFrame, encodeSseEvent } from '@tidings/protocol';

/**
 * `{"channel","id","event","data"}` (plus `"ack":true` for ack events) as JSON text, spliced from
 * the stored JSON without parsing it again.
 */
export function envelopeOf(event: LoggedEvent): string {
  return `{"channel":${JSON.stringify(event.channel)},"id":"${event.id}","event":${JSON.stringify(event.event)},"data":${event.data}${event.ack ? ',"ack":true' : ''}}`;
}

/** The envelope of a worker retry: the same event, marked so clients keep their position. */
export function redeliveryEnvelope(event: LoggedEvent): string {
  return `${envelopeOf(event).slice(0, -1)},"redelivery":true}`;
}

export function envelope(event: NodeEvent): string {
  return event.derive(envelopeOf);
}

// SSE. A one-channel subscription's frame carries the shared cursor as its id; any other gets its
// own `id:` line followed by the shared rest of the frame.

function sseNamed(event: NodeEvent): Buffer {
  return Buffer.from(encodeSseEvent({ id: event.derive(exactCursor), event: event.event, data: envelope(event) }));
}

function sseUniform(event: NodeEvent): Buffer {
  return Buffer.from(encodeSseEvent({ id: event.derive(exactCursor), event: 'message', data: envelope(event) }));
}

/**
 * Consecutive frames joined into chunks of up to CHUNK_BYTES: one write for a burst of small events,
 * while a page of large ones still meets the socket (and the slow-consumer cap) a chunk at a time.
 */
function chunked(frames: readonly Buffer[]): readonly Buffer[] {
  if (frames.length === 1) return frames;
  const chunks: Buffer[] = [];
  let group: Buffer[] = [];
  let size = 0;
  for (const frame of frames) {
    if (size + frame.length > CHUNK_BYTES && group.length > 0) {
      chunks.push(group.length === 1 ? group[0]! : Buffer.concat(group, size));
      group = [];
      size = 0;
    }
    group.push(frame);
    size += frame.length;
  }
  chunks.push(group.length === 1 ? group[0]! : Buffer.concat(group, size));
  return chunks;
}

const CHUNK_BYTES = 16 * 1024;

function sseNamedBatch(batch: EventBatch): readonly Buffer[] {
  return chunked(batch.events.map((e) => e.derive(sseNamed)));
}

function sseUniformBatch(batch: EventBatch): readonly Buffer[] {
  return chunked(batch.events.map((e) => e.derive(sseUniform)));
}

function sseNamedTail(event: NodeEvent): Buffer {
  return Buffer.from(encodeSseEvent({ event: event.event, data: envelope(event) }));
}

function sseUniformTail(event: NodeEvent): Buffer {
  return Buffer.from(encodeSseEvent({ event: 'message', data: envelope(event) }));
}

/** A batch's frames for one-channel subscriptions (`uniform`: every event named `message`), in write-sized chunks. */
export function sseBatchFrames(batch: EventBatch, uniform: boolean): readonly Buffer[] {
  return batch.derive(uniform ? sseUniformBatch : sseNamedBatch);
}

/** An event's frame without its `id:` line, for subscriptions whose cursor is their own. */
export function sseFrameTail(event: NodeEvent, uniform: boolean): Buffer {
  return event.derive(uniform ? sseUniformTail : sseNamedTail);
}

// WebSocket. Each event is its own message; a pattern subscription's frame names the pattern.

function wsExact(event: NodeEvent): Buffer {
  return Buffer.from(encodeEventFrame(event.channel, event.id, event.event, event.data, undefined, event.ack));
}

function wsPatternFrames(): Map<string, Buffer> {
  return new Map();
}

/** The frame of an event for an exact subscription, or for one to `pattern`. */
export function wsEventFrame(event: NodeEvent, pattern: string | undefined): Buffer {
  if (pattern === undefined) return event.derive(wsExact);
  // One per pattern that matched the event here: bounded by the patterns subscribed on this node.
  const byPattern = event.derive(wsPatternFrames);
  let frame = byPattern.get(pattern);
  if (frame === undefined) {
    frame = Buffer.from(encodeEventFrame(event.channel, event.id, event.event, event.data, pattern, event.ack));
    byPattern.set(pattern, frame);
  }
  return frame;
}

export function wsRedeliveryFrame(event: LoggedEvent): string {
  return encodeRedeliveryFrame(event.channel, event.id, event.event, event.data);
}
