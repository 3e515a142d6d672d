import { describe, expect, it } from 'vitest';
import { ackFor, isAckedFrame } from './ack-frame.js';

describe('ackFor', () => {
  it('acks an event frame that asks for it, with its channel and id', () => {
    const frame = '{"type":"event","channel":"bench","id":"1732-0","event":"message","data":"q1.2.xx","ack":true}';
    expect(ackFor(frame)).toBe('{"type":"ack","channel":"bench","id":"1732-0"}');
  });

  it('leaves alone events that do not ask, and frames that are not events', () => {
    expect(ackFor('{"type":"event","channel":"bench","id":"1-0","event":"message","data":"q1.2.xx"}')).toBeNull();
    expect(ackFor('{"type":"acked","channel":"bench","id":"1-0","state":"acked","ack":true}')).toBeNull();
  });

  it('recognises the server confirming a receipt', () => {
    expect(isAckedFrame('{"type":"acked","channel":"bench","id":"1-0"}')).toBe(true);
    expect(isAckedFrame('{"type":"event","channel":"bench"}')).toBe(false);
  });
});
