import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  CHANNEL_MAX_BYTES,
  isChannel,
  isPattern,
  matchesPattern,
  patternCovers,
  parseChannel,
  parseSubscription,
  patternGlob,
} from './channel.js';
import { catchTidings, channelArb, expectOnlyTidingsErrors, nastyStringArb, patternArb } from './spec-support/arbitraries.js';

const validChannels = [
  'a',
  'news',
  'news/sport',
  'user:42/inbox',
  'Org.Team_1/alerts-high',
  'device@home/a/b/c/d',
  'a'.repeat(CHANNEL_MAX_BYTES),
  `${'a/'.repeat(99)}bc`,
];

const invalidChannels: [label: string, input: string, why: RegExp][] = [
  ['empty', '', /is empty/],
  ['too long', 'a'.repeat(CHANNEL_MAX_BYTES + 1), /201 characters long; at most 200/],
  ['leading slash', '/news', /empty level at position 0/],
  ['trailing slash', 'news/', /empty level at position 5/],
  ['doubled slash', 'news//sport', /empty level at position 5/],
  ['just a slash', '/', /empty level/],
  ['a space', 'news sport', /' '|U\+0020/],
  ['a non-ASCII letter', 'café', /U\+00E9 at position 3/],
  ['an emoji', 'a/😀', /U\+1F600 at position 2/],
  ['a NUL', 'a\0b', /U\+0000/],
  ['a newline', 'a\nb', /U\+000A/],
  ['a brace (would break Redis hash tags)', 'a{b}', /'\{'/],
  ['a glob star', 'news/*', /'\*'/],
  ['a + wildcard', 'news/+', /wildcards are only allowed in subscriptions/],
  ['a # wildcard', '#', /wildcards are only allowed in subscriptions/],
];

describe('channels', () => {
  it.each(validChannels)('accepts %j', (c) => {
    expect(isChannel(c)).toBe(true);
    expect(parseChannel(c)).toBe(c);
  });

  it.each(invalidChannels)('rejects %s with TIDINGS_CHANNEL_INVALID saying why', (_label, input, why) => {
    expect(isChannel(input)).toBe(false);
    const e = catchTidings(() => parseChannel(input));
    expect(e.code).toBe('TIDINGS_CHANNEL_INVALID');
    expect(e.status).toBe(400);
    expect(e.message).toMatch(why);
  });

  it('rejects a non-string as TIDINGS_CHANNEL_INVALID', () => {
    expect(isChannel(42 as unknown as string)).toBe(false);
    expect(catchTidings(() => parseChannel(undefined as unknown as string)).message).toMatch(/must be a string/);
  });

  it('accepts every generated channel', () => {
    fc.assert(fc.property(channelArb(), (c) => isChannel(c) && parseChannel(c) === c));
  });

  it('throws only TidingsErrors, each with a specific reason, on arbitrary strings', () => {
    fc.assert(
      fc.property(nastyStringArb, (s) => {
        expectOnlyTidingsErrors(() => parseChannel(s));
        if (!isChannel(s)) expect(catchTidings(() => parseChannel(s)).message).not.toMatch(/is invalid$/);
      }),
    );
  });
});

describe('subscriptions', () => {
  it.each([
    ['news/sport', { kind: 'channel', channel: 'news/sport' }],
    ['news/+/sport', { kind: 'pattern', pattern: 'news/+/sport' }],
    ['+', { kind: 'pattern', pattern: '+' }],
    ['#', { kind: 'pattern', pattern: '#' }],
    ['a/#', { kind: 'pattern', pattern: 'a/#' }],
    ['+/+/#', { kind: 'pattern', pattern: '+/+/#' }],
  ])('parses %j', (input, expected) => {
    expect(parseSubscription(input)).toEqual(expected);
  });

  it.each([
    ['a wildcard inside a level', 'a+/b', /'\+' inside a level at position 1/],
    ['# inside a level', 'a/b#', /'#' inside a level/],
    ['# before the last level', 'a/#/b', /'#' at position 2; it may only be the last level/],
    ['## as a level', 'a/##', /inside a level/],
    ['an empty level beside a wildcard', 'a//+', /empty level/],
    ['a bad character beside a wildcard', 'a b/+', /U\+0020|' '/],
    ['a too long pattern', `${'a'.repeat(CHANNEL_MAX_BYTES)}/#`, /at most 200/],
  ])('rejects %s with TIDINGS_PATTERN_INVALID', (_label, input, why) => {
    expect(isPattern(input)).toBe(false);
    const e = catchTidings(() => parseSubscription(input));
    expect(e.code).toBe('TIDINGS_PATTERN_INVALID');
    expect(e.message).toMatch(why);
  });

  it.each(['', 'a//b', '/a', 'a b', 'a'.repeat(CHANNEL_MAX_BYTES + 1)])(
    'rejects wildcard-free %j with TIDINGS_CHANNEL_INVALID',
    (input) => {
      expect(catchTidings(() => parseSubscription(input)).code).toBe('TIDINGS_CHANNEL_INVALID');
    },
  );

  it('accepts every generated pattern', () => {
    fc.assert(fc.property(patternArb(), (p) => parseSubscription(p).kind === (/[+#]/.test(p) ? 'pattern' : 'channel')));
  });

  it('throws only TidingsErrors on arbitrary strings', () => {
    fc.assert(
      fc.property(nastyStringArb, (s) => {
        expectOnlyTidingsErrors(() => parseSubscription(s));
        if (!isChannel(s) && !isPattern(s)) expect(catchTidings(() => parseSubscription(s)).message).not.toMatch(/is invalid$/);
      }),
    );
  });
});

describe('matchesPattern', () => {
  it.each([
    ['a/#', 'a', true],
    ['a/#', 'a/b', true],
    ['a/#', 'a/b/c', true],
    ['a/#', 'ab', false],
    ['a/#', 'b/a', false],
    ['#', 'a', true],
    ['#', 'a/b/c', true],
    ['+', 'a', true],
    ['+', 'a/b', false],
    ['a/+', 'a', false],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['news/+/sport', 'news/uk/sport', true],
    ['news/+/sport', 'news/uk/weather', false],
    ['news/+/sport', 'news/sport', false],
    ['+/+', 'a/b', true],
    ['+/#', 'a', true],
    ['news', 'news', true],
    ['news', 'news/sport', false],
    ['news/sport', 'news', false],
    ['ne', 'news', false],
  ])('%j matches %j: %s', (pattern, channel, expected) => {
    expect(matchesPattern(pattern, channel)).toBe(expected);
  });

  it('agrees with the MQTT definition on generated patterns and channels', () => {
    fc.assert(
      fc.property(patternArb(true), channelArb(true), (p, c) => {
        expect(matchesPattern(p, c)).toBe(referenceMatch(p.split('/'), c.split('/')));
      }),
      { numRuns: 2000 },
    );
  });

  it('lets an exact channel match only itself', () => {
    fc.assert(fc.property(channelArb(true), channelArb(true), (a, b) => matchesPattern(a, b) === (a === b)));
  });
});

describe('patternGlob', () => {
  it.each([
    ['news/+/sport', 'news/*'],
    ['news/#', 'news*'],
    ['a/b/+', 'a/b/*'],
    ['#', '*'],
    ['+', '*'],
    ['+/x', '*'],
    ['news/sport', 'news/sport'],
  ])('%j → %j', (pattern, glob) => {
    expect(patternGlob(pattern)).toBe(glob);
  });

  it('matches (as a Redis glob) every channel the pattern matches', () => {
    fc.assert(
      fc.property(patternArb(true), channelArb(true), (p, c) => {
        if (matchesPattern(p, c)) expect(redisGlobMatch(patternGlob(p), c)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses an invalid pattern', () => {
    expect(catchTidings(() => patternGlob('a/#/b')).code).toBe('TIDINGS_PATTERN_INVALID');
  });
});

// MQTT topic matching, written the obvious recursive way.
function referenceMatch(pattern: string[], channel: string[]): boolean {
  const [p, ...pRest] = pattern;
  if (p === undefined) return channel.length === 0;
  if (p === '#') return true;
  const [c, ...cRest] = channel;
  if (c === undefined) return false;
  return (p === '+' || p === c) && referenceMatch(pRest, cRest);
}

// Redis glob with '*' only: channels hold none of the other metacharacters.
function redisGlobMatch(glob: string, s: string): boolean {
  const re = new RegExp(`^${glob.split('*').map((part) => part.replace(/[.:@/-]/g, '\\$&')).join('.*')}$`, 's');
  return re.test(s);
}

describe('patternCovers', () => {
  it.each([
    ['news/#', 'news/+/sport', true],
    ['news/#', 'news', true],
    ['news/#', '#', false],
    ['news/+', 'news/eu', true],
    ['news/+', 'news/+', true],
    ['news/+', 'news/#', false],
    ['news/eu', 'news/+', false],
    ['news/eu', 'news/eu', true],
    ['#', 'anything/at/all', true],
    ['user/alice', 'user/alice/inbox', false],
  ])('a grant of %s covers %s: %s', (granted, requested, covers) => {
    expect(patternCovers(granted, requested)).toBe(covers);
  });

  it('never lets a request reach a channel the grant does not match', () => {
    fc.assert(
      fc.property(patternArb(true), patternArb(true), channelArb(true), (granted, requested, channel) => {
        if (patternCovers(granted, requested) && matchesPattern(requested, channel)) expect(matchesPattern(granted, channel)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('allows any exact channel the grant matches', () => {
    fc.assert(fc.property(patternArb(true), channelArb(true), (granted, channel) => patternCovers(granted, channel) === matchesPattern(granted, channel)));
  });
});
