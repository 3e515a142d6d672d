import { describe, expect, it } from 'vitest';
import { LongPollAnswer, cursorAtEnd, pollRequest } from './long-poll-answer.js';

const body = Buffer.from(`{"events":[{"channel":"bench","id":"1-0","event":"message","data":"q1.123.${'x'.repeat(2000)}"}],"resets":[],"cursor":"MQowLjAKYmVuY2ggbXd5dHJxeWsuMA"}`);

describe('LongPollAnswer', () => {
  it('finds the cursor at the end of a body split anywhere, keeping only its tail', () => {
    for (const cut of [1, 7, 100, body.length - 20, body.length - 1]) {
      const answer = new LongPollAnswer();
      answer.begin(body.length);
      const framed = Buffer.concat([Buffer.from('HEAD'), body.subarray(0, cut)]);
      expect(answer.take(framed, 4, framed.length)).toBe(framed.length);
      expect(answer.complete).toBe(false);
      const rest = Buffer.concat([body.subarray(cut), Buffer.from('NEXT')]);
      expect(answer.take(rest, 0, rest.length)).toBe(rest.length - 4); // stops where the body ends
      expect(answer.complete).toBe(true);
      expect(answer.cursor()).toBe('MQowLjAKYmVuY2ggbXd5dHJxeWsuMA');
    }
  });

  it('has no cursor when the body does not end with one', () => {
    expect(cursorAtEnd('{"events":[],"resets":[]}')).toBeNull();
    expect(cursorAtEnd('{"error":{"code":"TIDINGS_CURSOR_INVALID"}}')).toBeNull();
    expect(cursorAtEnd('{"cursor":"abc"}\n')).toBe('abc');
  });
});

describe('pollRequest', () => {
  it('asks for the current cursor at once first, then waits from the cursor it got', () => {
    expect(pollRequest('127.0.0.1:80', '/v1/poll?channel=bench', null, 25)).toBe('GET /v1/poll?channel=bench&timeout=0 HTTP/1.1\r\nHost: 127.0.0.1:80\r\nAccept: application/json\r\n\r\n');
    expect(pollRequest('h', '/v1/poll?channel=a', 'Zm9v', 25)).toMatch(/^GET \/v1\/poll\?channel=a&timeout=25&since=Zm9v HTTP\/1\.1\r\n/);
  });
});
