import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it.each([
    ['/v1/sse?channel=a&token=abc.def', '/v1/sse?channel=a&token=[redacted]'],
    ['/v1/sse?token=x&key=y#frag', '/v1/sse?token=[redacted]&key=[redacted]#frag'],
    ['http://h/v1/ws?KEY=abc&channel=b', 'http://h/v1/ws?KEY=[redacted]&channel=b'],
    ['/v1/sse?token=', '/v1/sse?token=[redacted]'],
    ['/v1/sse?channel=token&mytoken=x&keys=y', '/v1/sse?channel=token&mytoken=x&keys=y'],
    ['redis://:hunter2@127.0.0.1:6379', 'redis://:[redacted]@127.0.0.1:6379'],
    ['redis://app:hunter2@h/0', 'redis://app:[redacted]@h/0'],
    ['/plain/path', '/plain/path'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
