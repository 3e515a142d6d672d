// The names other libraries are written against: renaming one must fail here first.
import { describe, it, expect } from 'vitest';
import * as api from './index.js';

const contract = [
  'ERRORS', 'TidingsError', 'errorBody', 'isTidingsError',
  'CHANNEL_MAX_BYTES', 'isChannel', 'parseChannel', 'parseSubscription', 'matchesPattern', 'patternGlob',
  'ZERO_ID', 'isStreamId', 'compareStreamIds', 'streamIdMs',
  'CURSOR_MAX_LENGTH', 'CURSOR_MAX_CHANNELS', 'encodeCursor', 'decodeCursor', 'isCursorLike',
  'encodeSseEvent', 'encodeSseComment', 'encodeSseRetry', 'encodeSseId',
  'DEFAULT_BODY_LIMITS', 'EVENT_NAME_DEFAULT', 'parseEventName', 'parseIdempotencyKey',
  'parsePublishBody', 'parseBatchBody', 'parseJsonStrict',
  'parseClientFrame', 'encodeServerFrame', 'encodeEventFrame',
  'CLOSE', 'shouldReconnect',
];

describe('@tidings/protocol public API', () => {
  it.each(contract)('exports %s', (name) => {
    expect(api).toHaveProperty(name);
    expect((api as Record<string, unknown>)[name]).toBeDefined();
  });

  it('keeps the documented defaults', () => {
    expect(api.DEFAULT_BODY_LIMITS).toEqual({ maxJsonDepth: 32 });
    expect(api.CURSOR_MAX_LENGTH).toBe(8192);
    expect(api.CURSOR_MAX_CHANNELS).toBe(256);
    expect(api.CHANNEL_MAX_BYTES).toBe(200);
  });
});
