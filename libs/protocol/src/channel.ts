// Channel names and MQTT-style subscription patterns. Every allowed character is ASCII, so a
// length in UTF-16 code units is also a length in UTF-8 bytes.
import { TidingsError } from './errors.js';

export const CHANNEL_MAX_BYTES = 200;

export type Subscription = { kind: 'channel'; channel: string } | { kind: 'pattern'; pattern: string };

const LEVEL = '[A-Za-z0-9_.:@-]+';
const CHANNEL_RE = new RegExp(`^${LEVEL}(?:/${LEVEL})*$`);
const PATTERN_RE = new RegExp(`^(?:(?:${LEVEL}|\\+)(?:/(?:${LEVEL}|\\+))*(?:/#)?|#)$`);
const LEVEL_CHAR_RE = /[A-Za-z0-9_.:@-]/;
const ALLOWED = 'A-Z a-z 0-9 _ - . : @ /';
const SLASH = 0x2f;
const PLUS = 0x2b;
const HASH = 0x23;

export function isChannel(s: string): boolean {
  return typeof s === 'string' && s.length <= CHANNEL_MAX_BYTES && CHANNEL_RE.test(s);
}

/** A valid subscription that contains at least one wildcard level. */
export function isPattern(s: string): boolean {
  return (
    typeof s === 'string' &&
    s.length <= CHANNEL_MAX_BYTES &&
    hasWildcard(s) &&
    PATTERN_RE.test(s)
  );
}

export function parseChannel(s: string): string {
  if (isChannel(s)) return s;
  throw new TidingsError('TIDINGS_CHANNEL_INVALID', `channel ${describeProblem(s, false)}`);
}

// Anything holding '+' or '#' is read as a pattern, so its errors are pattern errors; the rest
// are channel errors. That keeps the code stable whichever rule a bad pattern breaks first.
export function parseSubscription(s: string): Subscription {
  if (isChannel(s)) return { kind: 'channel', channel: s };
  if (isPattern(s)) return { kind: 'pattern', pattern: s };
  if (typeof s === 'string' && hasWildcard(s)) {
    throw new TidingsError('TIDINGS_PATTERN_INVALID', `pattern ${describeProblem(s, true)}`);
  }
  throw new TidingsError('TIDINGS_CHANNEL_INVALID', `channel ${describeProblem(s, true)}`);
}

/** Whether a valid channel matches a valid subscription (an exact channel matches only itself). */
export function matchesPattern(pattern: string, channel: string): boolean {
  // Walks both strings level by level without allocating: this runs per event on fan-out.
  let p = 0;
  let c = 0;
  while (p <= pattern.length) {
    const pEnd = levelEnd(pattern, p);
    if (isWildcardLevel(pattern, p, pEnd, HASH)) return true;
    if (c > channel.length) return false;
    const cEnd = levelEnd(channel, c);
    if (!isWildcardLevel(pattern, p, pEnd, PLUS) && !sameLevel(pattern, p, pEnd, channel, c, cEnd)) return false;
    p = pEnd + 1;
    c = cEnd + 1;
  }
  return c > channel.length;
}

/**
 * Whether every channel `requested` (a channel or pattern) can match is also matched by `granted`:
 * how a grant of `news/#` allows subscribing to `news/+/sport` but not `#`. Both must be valid.
 */
export function patternCovers(granted: string, requested: string): boolean {
  const g = granted.split('/');
  const r = requested.split('/');
  for (let i = 0; ; i++) {
    if (g[i] === '#') return true; // also covers a request that ends here: 'a/#' matches 'a'
    if (i === r.length) return i === g.length;
    if (i === g.length || r[i] === '#') return false;
    if (g[i] !== '+' && g[i] !== r[i]) return false; // a literal grant level allows only itself, not '+'
  }
}

/**
 * A Redis PSUBSCRIBE glob matching a superset of the subscription's channels: the literal
 * levels before the first wildcard, then '*'. Callers filter with matchesPattern. The channel
 * charset holds none of Redis' glob metacharacters (* ? [ ] ^ \), so nothing needs escaping.
 */
export function patternGlob(pattern: string): string {
  parseSubscription(pattern);
  const levels = pattern.split('/');
  const first = levels.findIndex((l) => l === '+' || l === '#');
  if (first === -1) return pattern;
  const prefix = levels.slice(0, first).join('/');
  if (prefix === '') return '*';
  // 'a/#' also matches 'a' itself, so the slash cannot be part of the glob.
  return levels[first] === '#' ? `${prefix}*` : `${prefix}/*`;
}

function hasWildcard(s: string): boolean {
  return s.includes('+') || s.includes('#');
}

function levelEnd(s: string, from: number): number {
  const i = s.indexOf('/', from);
  return i === -1 ? s.length : i;
}

function isWildcardLevel(s: string, start: number, end: number, wildcard: number): boolean {
  return end - start === 1 && s.charCodeAt(start) === wildcard;
}

function sameLevel(a: string, aStart: number, aEnd: number, b: string, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = 0; i < aEnd - aStart; i++) {
    if (a.charCodeAt(aStart + i) !== b.charCodeAt(bStart + i)) return false;
  }
  return true;
}

// Only reached on invalid input, so clarity beats speed here.
function describeProblem(s: unknown, wildcards: boolean): string {
  if (typeof s !== 'string') return 'must be a string';
  if (s.length === 0) return 'is empty';
  if (s.length > CHANNEL_MAX_BYTES) return `is ${s.length} characters long; at most ${CHANNEL_MAX_BYTES} are allowed`;
  let pos = 0;
  const levels = s.split('/');
  for (const [i, level] of levels.entries()) {
    if (level === '') return `has an empty level at position ${pos} (leading, trailing or doubled '/')`;
    if (wildcards && level === '#' && i !== levels.length - 1) return `has '#' at position ${pos}; it may only be the last level`;
    if (!(wildcards && (level === '+' || level === '#'))) {
      const bad = badCharacter(level, pos, wildcards);
      if (bad) return bad;
    }
    pos += level.length + 1;
  }
  return 'is invalid';
}

function badCharacter(level: string, offset: number, wildcards: boolean): string | undefined {
  for (let i = 0; i < level.length; i++) {
    const code = level.codePointAt(i) ?? 0;
    const where = `at position ${offset + i}`;
    if (code === PLUS || code === HASH) {
      const ch = String.fromCharCode(code);
      return wildcards
        ? `has '${ch}' inside a level ${where}; a wildcard must be a whole level`
        : `has the wildcard '${ch}' ${where}; wildcards are only allowed in subscriptions`;
    }
    if (code === SLASH || !LEVEL_CHAR_RE.test(String.fromCodePoint(code))) {
      return `has ${describeChar(code)} ${where}; allowed are ${ALLOWED}`;
    }
  }
  return undefined;
}

function describeChar(code: number): string {
  if (code > 0x20 && code < 0x7f) return `'${String.fromCharCode(code)}'`;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}
