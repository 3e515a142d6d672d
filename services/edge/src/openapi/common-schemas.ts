import { CHANNEL_MAX_BYTES, ERRORS } from '@tidings/protocol';
import { ref, type Schema } from './openapi-types.js';

/** Names, ids and the error body: the schemas every other part refers to. */
export const commonSchemas: Record<string, Schema> = {
  Channel: {
    type: 'string',
    minLength: 1,
    maxLength: CHANNEL_MAX_BYTES,
    pattern: '^[A-Za-z0-9_.:@-]+(/[A-Za-z0-9_.:@-]+)*$',
    description: 'A channel name: levels of A-Z a-z 0-9 _ - . : @ separated by /.',
  },
  Subscription: {
    type: 'string',
    minLength: 1,
    maxLength: CHANNEL_MAX_BYTES,
    description: 'A channel, or an MQTT-style pattern: `+` matches one level, `#` (last) the rest (`news/+/sport`, `news/#`).',
  },
  StreamId: {
    type: 'string',
    pattern: '^(0|[1-9][0-9]{0,15})-(0|[1-9][0-9]{0,15})$',
    description: 'An event id: `<milliseconds>-<sequence>`, increasing within a channel.',
  },
  Cursor: {
    type: 'string',
    minLength: 1,
    description: 'An opaque position for a whole subscription, as handed out (SSE `id:`, poll answers, `subscribed` frames). Pass it back unchanged to resume.',
  },
  Device: { type: 'string', pattern: '^[A-Za-z0-9_.:@-]{1,128}$', description: 'A device id: names a subscriber across connections.' },
  Timestamp: { type: 'integer', minimum: 0, description: 'Milliseconds since the Unix epoch.' },
  Error: {
    type: 'object',
    required: ['error'],
    properties: { error: ref('ErrorDetail') },
    description: 'Every error answer. The codes and their statuses are listed in docs/errors.md.',
  },
  ErrorDetail: {
    type: 'object',
    required: ['code', 'message'],
    properties: {
      code: { enum: Object.keys(ERRORS), description: 'A stable code; the message may change.' },
      message: { type: 'string' },
    },
  },
  Reset: {
    type: 'object',
    required: ['channel', 'lostFrom', 'lostTo', 'reason'],
    properties: {
      channel: { type: 'string', description: 'The channel (or, for a lapsed pattern, the pattern) that lost events.' },
      lostFrom: ref('StreamId'),
      lostTo: ref('StreamId'),
      reason: { enum: ['retention', 'stream-lost', 'membership-expired'] },
    },
    description: 'Events that can no longer be delivered, named rather than silently skipped.',
  },
};
