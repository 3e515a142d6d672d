import {
  CLAIM_DEFAULT_COUNT,
  CLAIM_MAX_COUNT,
  CLAIM_MAX_WAIT_SECONDS,
  GROUP_ACK_MAX_IDS,
  GROUP_DEFAULT_MAX_DELIVERIES,
  GROUP_DEFAULT_VISIBILITY_SECONDS,
  GROUP_MAX_DELIVERIES,
  GROUP_MAX_VISIBILITY_SECONDS,
} from '@tidings/protocol';
import { ref, type Schema } from './openapi-types.js';

const claimedEvent: Schema = {
  type: 'object',
  required: ['channel', 'id', 'event', 'data', 'deliveries'],
  properties: {
    channel: ref('Channel'),
    id: ref('StreamId'),
    event: { type: 'string' },
    data: {},
    ack: { const: true },
    deliveries: { type: 'integer', minimum: 1, description: 'Times the event was handed out, this time included.' },
  },
};

const GROUP_REQUIRED = ['channel', 'group', 'visibilitySeconds', 'maxDeliveries', 'consumers', 'pending', 'lag', 'lastDeliveredId', 'dead'];

const groupFields = {
  channel: ref('Channel'),
  group: ref('GroupName'),
  visibilitySeconds: { type: 'number' },
  maxDeliveries: { type: 'integer' },
  consumers: { type: 'integer', minimum: 0 },
  pending: { type: 'integer', minimum: 0, description: 'Handed out and not acknowledged.' },
  lag: { type: ['integer', 'null'], description: 'Not handed out yet; null when the log cannot tell (after trimming).' },
  lastDeliveredId: ref('StreamId'),
  dead: { type: 'integer', minimum: 0, description: 'Dead letters kept.' },
};

/** Consumer groups: settings, descriptions, claims and their outcomes. */
export const groupSchemas: Record<string, Schema> = {
  GroupSettings: {
    type: 'object',
    properties: {
      start: {
        anyOf: [{ enum: ['new', 'all'] }, ref('StreamId')],
        default: 'new',
        description: 'Where a new group starts: what is published from now, everything kept, or after an event id. Ignored for an existing group.',
      },
      visibilitySeconds: { type: 'integer', minimum: 1, maximum: GROUP_MAX_VISIBILITY_SECONDS, default: GROUP_DEFAULT_VISIBILITY_SECONDS },
      maxDeliveries: { type: 'integer', minimum: 1, maximum: GROUP_MAX_DELIVERIES, default: GROUP_DEFAULT_MAX_DELIVERIES },
    },
    additionalProperties: false,
  },
  Group: {
    type: 'object',
    required: GROUP_REQUIRED,
    properties: groupFields,
  },
  GroupName: { type: 'string', pattern: '^[A-Za-z0-9_.:@-]{1,64}$' },
  GroupPut: {
    type: 'object',
    required: [...GROUP_REQUIRED, 'created'],
    properties: { ...groupFields, created: { type: 'boolean', description: 'False: an existing group, its settings updated.' } },
  },
  GroupList: {
    type: 'object',
    required: ['channel', 'groups'],
    properties: { channel: ref('Channel'), groups: { type: 'array', items: ref('Group') } },
  },
  GroupDeleted: {
    type: 'object',
    required: ['channel', 'group', 'deleted'],
    properties: { channel: ref('Channel'), group: ref('GroupName'), deleted: { const: true } },
  },
  ClaimRequest: {
    type: 'object',
    required: ['consumer'],
    properties: {
      consumer: { type: 'string', pattern: '^[A-Za-z0-9_.:@-]{1,128}$' },
      count: { type: 'integer', minimum: 1, maximum: CLAIM_MAX_COUNT, default: CLAIM_DEFAULT_COUNT },
      wait: { type: 'integer', minimum: 0, maximum: CLAIM_MAX_WAIT_SECONDS, default: 0, description: 'Seconds to wait for work when there is none now.' },
    },
    additionalProperties: false,
  },
  Claim: {
    type: 'object',
    required: ['events', 'resets', 'dead'],
    properties: {
      events: { type: 'array', items: claimedEvent },
      resets: { type: 'array', items: ref('Reset'), description: 'Events this group will never get: trimmed before it read or acknowledged them.' },
      dead: { type: 'array', items: claimedEvent, description: 'Events this claim moved to the dead letters (handed out maxDeliveries times).' },
    },
  },
  EventIds: {
    type: 'object',
    required: ['ids'],
    properties: { ids: { type: 'array', minItems: 1, maxItems: GROUP_ACK_MAX_IDS, uniqueItems: true, items: ref('StreamId') } },
    additionalProperties: false,
  },
  Settled: {
    type: 'object',
    required: ['channel', 'group', 'results'],
    properties: {
      channel: ref('Channel'),
      group: ref('GroupName'),
      results: {
        type: 'object',
        propertyNames: ref('StreamId'),
        additionalProperties: { enum: ['acked', 'unknown'] },
        description: 'Per id: `acked`, or `unknown` (not pending for the group).',
      },
    },
  },
};

