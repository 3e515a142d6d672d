// One opaque cursor resumes a whole subscription (several channels, or a wildcard that
// discovers channels as it goes). It travels as an SSE `id:`, a `Last-Event-ID` header and a
// `since=` query value, so the encoding uses only [A-Za-z0-9_-].
//
// Version 1 = unpadded base64url of ASCII lines joined by '\n':
//   1                      version
//   <floor>                position assumed for every channel not listed
//   <channel> <id>         one per channel, channels in ascending order, no duplicates
// where ids are written `<ms>.<seq>` in base36 to keep the cursor short. The form is
// canonical (one encoding per cursor), so decode(encode(c)) and encode(decode(s)) round-trip.
import { decodeBase64Url, encodeBase64Url } from './base64url.js';
import { isChannel } from './channel.js';
import { TidingsError } from './errors.js';
import { compareStreamIds, isStreamId, streamIdParts, type StreamId } from './stream-id.js';

export interface Cursor {
  /** Position assumed for channels not in `positions`; ZERO_ID when unused. */
  readonly floor: StreamId;
  /** channel → id of the last event delivered in it. */
  readonly positions: ReadonlyMap<string, StreamId>;
}

export const CURSOR_MAX_LENGTH = 8192;
export const CURSOR_MAX_CHANNELS = 256;

const VERSION = '1';
const MAX_TEXT = Math.floor((CURSOR_MAX_LENGTH * 3) / 4);
// Longest possible "<ms>.<seq>": each part at most MAX_SAFE_INTEGER, 11 base36 digits.
const MAX_ID36 = 2 * Number.MAX_SAFE_INTEGER.toString(36).length + 1;
const ID36_RE = /^(0|[1-9a-z][0-9a-z]{0,10})\.(0|[1-9a-z][0-9a-z]{0,10})$/;
const CURSOR_LIKE_RE = /^[A-Za-z][A-Za-z0-9_-]*$/;

interface Entry {
  readonly channel: string;
  readonly id: StreamId;
  readonly id36: string;
}

/** Where a cursor resumes one channel. */
export function cursorPosition(c: Cursor, channel: string): StreamId {
  return c.positions.get(channel) ?? c.floor;
}

/**
 * Encodes a cursor. One too big to stay decodable (more than CURSOR_MAX_CHANNELS entries or
 * CURSOR_MAX_LENGTH characters) loses the entries with the smallest ids first. A dropped
 * channel falls back to the floor, and callers keep floor <= every position, so that only ever
 * causes re-delivery — duplicates the client drops by id — never loss. As a safety net for a
 * caller that breaks that rule, the floor is also lowered to the smallest dropped id.
 */
export function encodeCursor(c: Cursor): string {
  const floor = checkId(c.floor, 'floor');
  const entries = [...c.positions].map(([channel, id]): Entry => {
    if (!isChannel(channel)) throw invalid(`cursor channel ${JSON.stringify(channel)} is not a valid channel`);
    return { channel, id: checkId(id, channel), id36: toId36(id) };
  });
  let kept = entries;
  let floorId = floor;
  if (entries.length > CURSOR_MAX_CHANNELS || textLength(entries, toId36(floor).length) > MAX_TEXT) {
    // Newest first; the floor is budgeted at its longest since it may be lowered.
    const newest = [...entries].sort((a, b) => compareStreamIds(b.id, a.id) || compare(a.channel, b.channel));
    let text = textLength([], MAX_ID36);
    let count = 0;
    for (const e of newest) {
      text += lineLength(e);
      if (count === CURSOR_MAX_CHANNELS || text > MAX_TEXT) break;
      count++;
    }
    kept = newest.slice(0, count);
    for (const dropped of newest.slice(count)) {
      if (compareStreamIds(dropped.id, floorId) < 0) floorId = dropped.id;
    }
  }
  const lines = [VERSION, toId36(floorId)];
  for (const e of [...kept].sort((a, b) => compare(a.channel, b.channel))) lines.push(`${e.channel} ${e.id36}`);
  return encodeBase64Url(asciiBytes(lines.join('\n')));
}

export function decodeCursor(s: string): Cursor {
  if (typeof s !== 'string' || s.length === 0) throw invalid('cursor is empty');
  if (s.length > CURSOR_MAX_LENGTH) throw invalid(`cursor is longer than ${CURSOR_MAX_LENGTH} characters`);
  const bytes = decodeBase64Url(s);
  if (!bytes) throw invalid('cursor is not canonical base64url');
  const text = asciiText(bytes);
  if (text === undefined) throw invalid('cursor holds non-ASCII bytes');
  const [version, floorText, ...rest] = text.split('\n');
  if (version !== VERSION) throw invalid('cursor has an unsupported version');
  if (rest.length > CURSOR_MAX_CHANNELS) throw invalid(`cursor lists more than ${CURSOR_MAX_CHANNELS} channels`);
  const floor = fromId36(floorText ?? '', 'floor');
  const positions = new Map<string, StreamId>();
  let previous = '';
  for (const line of rest) {
    const space = line.indexOf(' ');
    const channel = line.slice(0, space);
    if (space < 0 || !isChannel(channel)) throw invalid('cursor holds an invalid channel line');
    if (positions.has(channel)) throw invalid(`cursor lists channel ${channel} twice`);
    if (compare(previous, channel) > 0) throw invalid('cursor channels are not in order');
    positions.set(channel, fromId36(line.slice(space + 1), channel));
    previous = channel;
  }
  return { floor, positions };
}

/**
 * Cheap check that `s` may be a cursor rather than a stream id: stream ids start with a digit,
 * cursors with a letter (base64 of the version line). Decoding still decides.
 */
export function isCursorLike(s: string): boolean {
  return typeof s === 'string' && s.length <= CURSOR_MAX_LENGTH && CURSOR_LIKE_RE.test(s);
}

// Text length before base64url; MAX_TEXT characters encode to exactly CURSOR_MAX_LENGTH.
function textLength(entries: readonly Entry[], floorLength: number): number {
  let text = VERSION.length + 1 + floorLength;
  for (const e of entries) text += lineLength(e);
  return text;
}

function lineLength(e: Entry): number {
  return 1 + e.channel.length + 1 + e.id36.length;
}

function checkId(id: StreamId, what: string): StreamId {
  if (!isStreamId(id)) throw invalid(`cursor position for ${what} is not a stream id`);
  return id;
}

function toId36(id: StreamId): string {
  const [ms, seq] = streamIdParts(id) ?? [0, 0];
  return `${ms.toString(36)}.${seq.toString(36)}`;
}

function fromId36(text: string, what: string): StreamId {
  const m = ID36_RE.exec(text);
  const ms = m ? parseInt(m[1] ?? '', 36) : NaN;
  const seq = m ? parseInt(m[2] ?? '', 36) : NaN;
  if (!(ms <= Number.MAX_SAFE_INTEGER && seq <= Number.MAX_SAFE_INTEGER)) {
    throw invalid(`cursor position for ${what} is malformed`);
  }
  return `${ms}-${seq}`;
}

function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function asciiText(bytes: Uint8Array): string | undefined {
  let text = '';
  for (const b of bytes) {
    if (b >= 0x80) return undefined;
    text += String.fromCharCode(b);
  }
  return text;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function invalid(message: string): TidingsError {
  return new TidingsError('TIDINGS_CURSOR_INVALID', message);
}
