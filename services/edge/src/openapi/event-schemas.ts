import { EVENT_NAME_DEFAULT, EVENT_NAME_MAX_LENGTH, IDEMPOTENCY_KEY_MAX_LENGTH } from '@tidings/protocol';
import { ref, type Schema } from './openapi-types.js';

const publishFields = {
  event: {
    type: 'string',
    pattern: `^[A-Za-z0-9_.:-]{1,${EVENT_NAME_MAX_LENGTH}}$`,
    default: EVENT_NAME_DEFAULT,
    description: 'The event name (SSE `event:`).',
  },
  data: { description: 'Any JSON value.' },
  ack: { type: 'boolean', default: false, description: 'Ask every device that is a member of the channel now for a receipt.' },
  idempotencyKey: {
    type: 'string',
    pattern: `^[A-Za-z0-9_.:@/+=-]{1,${IDEMPOTENCY_KEY_MAX_LENGTH}}$`,
    description: 'The same key within retention publishes once: a repeat answers the original id.',
  },
};

/** Events as published, stored and read back: publish bodies and answers, history and long-poll pages. */
export const eventSchemas: Record<string, Schema> = {
  Event: {
    type: 'object',
    required: ['channel', 'id', 'event', 'data'],
    properties: {
      channel: ref('Channel'),
      id: ref('StreamId'),
      event: { type: 'string' },
      data: { description: 'The published JSON value (text bodies are a string).' },
      ack: { const: true, description: 'Present when the publisher asked for receipts.' },
      redelivery: { const: true, description: 'A retry of an ack event the device has not answered; it does not move the cursor.' },
    },
  },
  PublishRequest: {
    type: 'object',
    required: ['data'],
    properties: publishFields,
    additionalProperties: false,
  },
  Published: {
    type: 'object',
    required: ['id', 'channel'],
    properties: {
      id: ref('StreamId'),
      channel: ref('Channel'),
      expected: { type: 'integer', minimum: 0, description: 'Ack events: the devices that owe a receipt.' },
      duplicate: { const: true, description: 'The idempotency key was seen before: `id` is the original event.' },
    },
  },
  BatchRequest: {
    type: 'object',
    required: ['events'],
    properties: {
      events: {
        type: 'array',
        minItems: 1,
        description: 'At most `--limits-max-batch` events (100 by default). Every one is validated before any is written.',
        items: { type: 'object', required: ['channel', 'data'], properties: { channel: ref('Channel'), ...publishFields }, additionalProperties: false },
      },
    },
    additionalProperties: false,
  },
  BatchItemPublished: {
    type: 'object',
    required: ['id', 'channel'],
    properties: { id: ref('StreamId'), channel: ref('Channel'), duplicate: { const: true } },
  },
  BatchPublished: {
    type: 'object',
    required: ['events'],
    properties: { events: { type: 'array', items: ref('BatchItemPublished') } },
  },
  BatchStopped: {
    type: 'object',
    required: ['error'],
    properties: {
      error: ref('ErrorDetail'),
      events: { type: 'array', items: ref('BatchItemPublished'), description: 'The events written before the store failed, in order; absent when none was.' },
    },
  },
  HistoryPage: {
    type: 'object',
    required: ['events'],
    properties: {
      events: { type: 'array', items: ref('Event') },
      next: { ...ref('StreamId'), description: 'The page was full: pass as `since` for the next one.' },
      reset: { ...ref('Reset'), description: 'Events after `since` that are gone (trimmed by retention).' },
    },
  },
  PollAnswer: {
    type: 'object',
    required: ['events', 'resets', 'cursor'],
    properties: {
      events: { type: 'array', items: ref('Event') },
      resets: { type: 'array', items: ref('Reset') },
      cursor: { ...ref('Cursor'), description: 'Pass as `since` to the next poll.' },
    },
  },
};
