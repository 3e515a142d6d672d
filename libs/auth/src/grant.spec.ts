import { parseSubscription } from '@tidings/protocol';
import { describe, expect, it } from 'vitest';
import { ANONYMOUS, type Grant, mayConsume, mayPublish, maySubscribe } from './grant.js';

const grant: Grant = { kind: 'token', subscribe: ['news/#', 'user/alice/+'], publish: ['user/alice/outbox'], consume: ['orders/+'] };

describe('a grant', () => {
  it.each([
    ['news', true],
    ['news/eu/sport', true],
    ['news/+/sport', true],
    ['user/alice/inbox', true],
    ['user/alice/+', true],
    ['user/bob/inbox', false],
    ['user/+/inbox', false],
    ['#', false],
  ])('subscribing to %s: %s', (requested, allowed) => {
    expect(maySubscribe(grant, parseSubscription(requested))).toBe(allowed);
  });

  it('publishes only where its publish patterns match', () => {
    expect(mayPublish(grant, 'user/alice/outbox')).toBe(true);
    expect(mayPublish(grant, 'news/eu')).toBe(false); // subscribing is not publishing
  });

  it('consumes only from channels its consume patterns match', () => {
    expect(mayConsume(grant, 'orders/eu')).toBe(true);
    expect(mayConsume(grant, 'orders/eu/late')).toBe(false);
    expect(mayConsume(grant, 'news/eu')).toBe(false); // subscribing is not consuming
  });

  it('anonymous mode may do everything', () => {
    expect(maySubscribe(ANONYMOUS, parseSubscription('#'))).toBe(true);
    expect(mayPublish(ANONYMOUS, 'any/channel')).toBe(true);
    expect(mayConsume(ANONYMOUS, 'any/channel')).toBe(true);
  });
});
