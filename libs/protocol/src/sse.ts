// Server-Sent Events encoding (WHATWG HTML §9.2 "event stream"). CR, LF and CRLF all end a
// line there, so no field value may carry one: data is split into one `data:` line per line
// (the browser joins them back with '\n'); id and event cannot be split and are refused.
import { TidingsError } from './errors.js';

export interface SseEvent {
  readonly id?: string;
  readonly event?: string;
  readonly data: string;
}

const LINE_BREAK = /\r\n|\r|\n/;
const FORBIDDEN_IN_FIELD = /[\r\n\0]/;

/**
 * Encodes one event. Every event carries at least one `data:` line: empty data becomes a
 * single `data: ` line, which browsers dispatch as an event whose data is ''. Line breaks in
 * data ('\r\n', '\r', '\n') come back as '\n' — the spec's line model allows nothing else;
 * everything else round-trips exactly (JSON text, the usual payload, has no raw line breaks).
 */
export function encodeSseEvent(e: SseEvent): string {
  let out = '';
  if (e.id !== undefined) out += `id: ${checkId(e.id)}\n`;
  if (e.event !== undefined) {
    if (FORBIDDEN_IN_FIELD.test(e.event)) {
      throw new TidingsError('TIDINGS_EVENT_NAME_INVALID', 'SSE event name may not contain CR, LF or NUL');
    }
    out += `event: ${e.event}\n`;
  }
  // Fast path: event data is JSON text, which never holds a raw line break.
  if (e.data.indexOf('\n') === -1 && e.data.indexOf('\r') === -1) return `${out}data: ${e.data}\n\n`;
  for (const line of e.data.split(LINE_BREAK)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A comment (heartbeat): ignored by clients, keeps proxies from closing an idle stream. */
export function encodeSseComment(text: string): string {
  return `: ${text.replace(/[\r\n]/g, ' ')}\n\n`;
}

/** Sets the client's reconnection delay. The spec accepts ASCII digits only. */
export function encodeSseRetry(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`SSE retry must be a non-negative integer, got ${ms}`);
  return `retry: ${ms}\n\n`;
}

/**
 * An `id:` with no data: per the spec it updates the browser's last event id without firing
 * an event — how a fresh subscription is handed its initial cursor.
 */
export function encodeSseId(id: string): string {
  return `id: ${checkId(id)}\n\n`;
}

// Browsers ignore an id containing NUL, and a line break would end the field early.
function checkId(id: string): string {
  if (FORBIDDEN_IN_FIELD.test(id)) {
    throw new TidingsError('TIDINGS_EVENT_ID_INVALID', 'SSE id may not contain CR, LF or NUL');
  }
  return id;
}
