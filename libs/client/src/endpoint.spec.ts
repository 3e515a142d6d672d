import { describe, expect, it } from 'vitest';
import { Endpoint, subscriptionQuery } from './endpoint.js';

describe('Endpoint', () => {
  it('joins paths under a base with or without a trailing slash or prefix', () => {
    expect(new Endpoint('http://h:1').http('/v1/sse')).toBe('http://h:1/v1/sse');
    expect(new Endpoint('http://h:1/').http('/v1/sse')).toBe('http://h:1/v1/sse');
    expect(new Endpoint('https://h/tidings/').http('/v1/poll', [['since', 'c']])).toBe('https://h/tidings/v1/poll?since=c');
  });

  it('drops a query or fragment the base URL carried', () => {
    expect(new Endpoint('http://h/?x=1#y').http('/v1/ws')).toBe('http://h/v1/ws');
  });

  it('turns http into ws and https into wss', () => {
    expect(new Endpoint('http://h:8080').ws('/v1/ws')).toBe('ws://h:8080/v1/ws');
    expect(new Endpoint('https://h').ws('/v1/ws', [['device', 'd 1']])).toBe('wss://h/v1/ws?device=d+1');
  });

  it('percent-encodes channels as one path segment and wildcards in queries', () => {
    const e = new Endpoint('http://h');
    expect(e.http(e.channelPath('a/b:c@d', 'events'))).toBe('http://h/v1/channels/a%2Fb%3Ac%40d/events');
    expect(e.http('/v1/sse', subscriptionQuery(['news/+/sport', 'x/#'], 'dev'))).toBe(
      'http://h/v1/sse?channel=news%2F%2B%2Fsport&channel=x%2F%23&device=dev',
    );
  });

  it('needs an absolute URL outside a page', () => {
    expect(() => new Endpoint('/relative')).toThrow();
  });
});
