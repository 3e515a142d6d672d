import { describe, expect, it } from 'vitest';
import { readMemberMessage, readSupervisorMessage } from './group-messages.js';

describe('readMemberMessage', () => {
  it.each([
    [{ type: 'ready', port: 8080 }],
    [{ type: 'scrape', id: 3 }],
    [{ type: 'snapshot', id: 3, metrics: [] }],
  ])('reads %j', (message) => {
    expect(readMemberMessage(message)).toEqual(message);
  });

  it.each([
    ['not an object', 'ready'],
    ['null', null],
    ['an unknown type', { type: 'hello', id: 1 }],
    ['a port that is not a number', { type: 'ready', port: '8080' }],
    ['a negative id', { type: 'scrape', id: -1 }],
    ['a fractional id', { type: 'scrape', id: 1.5 }],
    ['a snapshot without metrics', { type: 'snapshot', id: 1 }],
    ['a snapshot whose metrics are not a list', { type: 'snapshot', id: 1, metrics: {} }],
  ])('drops %s', (_name, value) => {
    expect(readMemberMessage(value)).toBeUndefined();
  });
});

describe('readSupervisorMessage', () => {
  it.each([
    [{ type: 'collect', id: 1 }],
    [{ type: 'scraped', id: 1, text: '# TYPE x counter\n' }],
    [{ type: 'scrape-failed', id: 1, reason: 'boom' }],
  ])('reads %j', (message) => {
    expect(readSupervisorMessage(message)).toEqual(message);
  });

  it.each([
    ['a missing id', { type: 'collect' }],
    ['scraped text that is not text', { type: 'scraped', id: 1, text: 7 }],
    ['a failure without a reason', { type: 'scrape-failed', id: 1 }],
    ['a member message', { type: 'ready', port: 1, id: 1 }],
  ])('drops %s', (_name, value) => {
    expect(readSupervisorMessage(value)).toBeUndefined();
  });
});
