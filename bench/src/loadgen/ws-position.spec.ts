import { describe, expect, it } from 'vitest';
import { subscribeSince, wsPosition } from './ws-position.js';

describe('wsPosition', () => {
  it('is the cursor of subscribed, then the id of each event', () => {
    expect(wsPosition('{"type":"subscribed","channel":"a","cursor":"Y3Vyc29y"}')).toBe('Y3Vyc29y');
    expect(wsPosition('{"type":"event","channel":"a/\\"b","id":"171-3","event":"message","data":"q1."}')).toBe('171-3');
  });

  it('moves nothing for a redelivery or any other frame', () => {
    expect(wsPosition('{"type":"event","channel":"a","id":"9-0","event":"m","data":1,"ack":true,"redelivery":true}')).toBeNull();
    expect(wsPosition('{"type":"pong"}')).toBeNull();
    expect(wsPosition('{"type":"reset","channel":"a"}')).toBeNull();
  });
});

describe('subscribeSince', () => {
  it('adds since to a subscribe frame', () => {
    expect(JSON.parse(subscribeSince('{"type":"subscribe","channel":"a"}', '5-1'))).toEqual({ type: 'subscribe', channel: 'a', since: '5-1' });
  });
});
