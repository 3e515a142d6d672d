import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { EVENT_NAME_DEFAULT, isEventName, parseEventName } from './event-name.js';
import { catchTidings, expectOnlyTidingsErrors, nastyStringArb } from './spec-support/arbitraries.js';

describe('event names', () => {
  it('default to "message", what EventSource.onmessage receives', () => {
    expect(EVENT_NAME_DEFAULT).toBe('message');
  });

  it.each(['message', 'a', 'order.created', 'user:login', 'build-finished_v2', 'x'.repeat(64)])('accepts %j', (name) => {
    expect(parseEventName(name)).toBe(name);
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(65)],
    ['a space', 'order created'],
    ['a slash', 'a/b'],
    ['a newline', 'a\nb'],
    ['non-ASCII', 'événement'],
    ['a number', 42],
    ['null', null],
  ])('rejects %s with TIDINGS_EVENT_NAME_INVALID', (_label, name) => {
    expect(isEventName(name)).toBe(false);
    expect(catchTidings(() => parseEventName(name)).code).toBe('TIDINGS_EVENT_NAME_INVALID');
  });

  it('throws only TidingsErrors on arbitrary strings', () => {
    fc.assert(fc.property(nastyStringArb, (s) => expectOnlyTidingsErrors(() => parseEventName(s))));
  });
});
