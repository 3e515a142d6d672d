import { EventBatch, exactCursor, NodeEvent } from '@tidings/core';
import { encodeEventFrame, encodeSseEvent } from '@tidings/protocol';
import { describe, expect, it } from 'vitest';
import { envelope, envelopeOf, redeliveryEnvelope, sseBatchFrames, sseFrameTail, wsEventFrame } from './event-frames.js';

const event = (id: string, ack?: true) => new NodeEvent('a/b', id, 'tick', '{"x":[1,"two"]}', ack);

describe('event frames', () => {
  it('splice the envelope from the stored JSON without re-encoding the data', () => {
    expect(JSON.parse(envelopeOf(event('1-0')))).toEqual({ channel: 'a/b', id: '1-0', event: 'tick', data: { x: [1, 'two'] } });
    expect(JSON.parse(envelopeOf(event('1-0', true)))).toMatchObject({ ack: true });
    expect(JSON.parse(redeliveryEnvelope(event('1-0', true)))).toMatchObject({ id: '1-0', ack: true, redelivery: true });
  });

  it('give a batch the SSE frames of its events, each with the one-channel cursor as its id', () => {
    const events = [event('1-0'), event('1-1'), event('2-0')];
    const expected = events.map((e) => encodeSseEvent({ id: exactCursor(e), event: 'tick', data: envelopeOf(e) })).join('');
    expect(Buffer.concat(sseBatchFrames(new EventBatch(events), false)).toString()).toBe(expected);
    expect(sseBatchFrames(new EventBatch(events), false)).toHaveLength(1); // small events: one write
    const uniform = events.map((e) => encodeSseEvent({ id: exactCursor(e), event: 'message', data: envelopeOf(e) })).join('');
    expect(Buffer.concat(sseBatchFrames(new EventBatch(events), true)).toString()).toBe(uniform);
    expect(sseFrameTail(events[0]!, false).toString()).toBe(encodeSseEvent({ event: 'tick', data: envelopeOf(events[0]!) }));
  });

  it('split a batch of large events into chunks of about 16 KiB, so the slow-consumer cap meets them a chunk at a time', () => {
    const big = (id: string) => new NodeEvent('a/b', id, 'tick', JSON.stringify('x'.repeat(6000)), undefined);
    const events = Array.from({ length: 10 }, (_, i) => big(`1-${i}`));
    const chunks = sseBatchFrames(new EventBatch(events), false);
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(16 * 1024);
    expect(Buffer.concat(chunks).toString()).toBe(events.map((e) => encodeSseEvent({ id: exactCursor(e), event: 'tick', data: envelopeOf(e) })).join(''));
  });

  it('build each once, however many connections ask', () => {
    const batch = new EventBatch([event('1-0'), event('1-1')]);
    expect(sseBatchFrames(batch, false)).toBe(sseBatchFrames(batch, false));
    const one = event('3-0');
    expect(envelope(one)).toBe(envelope(one));
    expect(wsEventFrame(one, undefined)).toBe(wsEventFrame(one, undefined));
    expect(wsEventFrame(one, 'a/+')).toBe(wsEventFrame(one, 'a/+'));
  });

  it('name the pattern in a WebSocket frame for a pattern subscription, and mark ack events', () => {
    const one = event('4-0', true);
    expect(wsEventFrame(one, undefined).toString()).toBe(encodeEventFrame('a/b', '4-0', 'tick', one.data, undefined, true));
    expect(JSON.parse(wsEventFrame(one, 'a/#').toString())).toMatchObject({ type: 'event', subscription: 'a/#', ack: true, data: { x: [1, 'two'] } });
  });
});
