// Where a durable WebSocket subscriber stands in its channel, read off the frames it gets: the
// cursor of `subscribed` (so a device cut before its first event still resumes from where it
// joined), then the id of every event in stream order. A redelivered ack event is sent again out
// of order and moves nothing.

const CURSOR = /^\{"type":"subscribed",.*?"cursor":"([^"]+)"/;
const EVENT_ID = /^\{"type":"event","channel":"(?:[^"\\]|\\.)*","id":"([^"]+)"/;

/** The position `frameText` (a frame's head) moves the subscriber to, or null when it moves none. */
export function wsPosition(frameText: string): string | null {
  if (frameText.startsWith('{"type":"subscribed"')) return CURSOR.exec(frameText)?.[1] ?? null;
  if (!frameText.startsWith('{"type":"event"') || frameText.includes('"redelivery":true')) return null;
  return EVENT_ID.exec(frameText)?.[1] ?? null;
}

/** A subscribe frame (JSON text) asking to resume after `since`. */
export function subscribeSince(subscribe: string, since: string): string {
  return JSON.stringify({ ...(JSON.parse(subscribe) as Record<string, unknown>), since });
}
