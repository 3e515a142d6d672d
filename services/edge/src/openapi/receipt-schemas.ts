import { ACK_DETAIL_MAX_LENGTH, ACK_STATUSES } from '@tidings/protocol';
import { ref, type Schema } from './openapi-types.js';

/** Delivery receipts of ack events, and presence. */
export const receiptSchemas: Record<string, Schema> = {
  ReceiptRequest: {
    type: 'object',
    required: ['device'],
    properties: {
      device: ref('Device'),
      status: { enum: [...ACK_STATUSES], default: 'received' },
      detail: { type: 'string', maxLength: ACK_DETAIL_MAX_LENGTH },
    },
    additionalProperties: false,
  },
  DeviceReceipt: {
    type: 'object',
    required: ['device', 'state', 'attempts', 'retries'],
    properties: {
      device: ref('Device'),
      state: { enum: ['pending', 'delivered', 'received', 'processed', 'failed', 'dead'] },
      attempts: { type: 'integer', minimum: 0, description: "Times the event was written to one of the device's connections." },
      retries: { type: 'integer', minimum: 0, description: 'Redelivery rounds the worker ran for this device.' },
      deliveredAt: ref('Timestamp'),
      receiptAt: ref('Timestamp'),
      detail: { type: 'string' },
      nextRetryAt: { ...ref('Timestamp'), description: "While open: when the worker's next round is due." },
      deadAt: ref('Timestamp'),
    },
  },
  ReceiptRecorded: {
    type: 'object',
    required: ['channel', 'id', 'result', 'receipt'],
    properties: {
      channel: ref('Channel'),
      id: ref('StreamId'),
      result: { enum: ['recorded', 'unchanged'], description: '`unchanged`: a repeat, or `received` after a final answer.' },
      receipt: ref('DeviceReceipt'),
    },
  },
  ReceiptPage: {
    type: 'object',
    required: ['channel', 'id', 'publishedAt', 'expected', 'devices', 'states'],
    properties: {
      channel: ref('Channel'),
      id: ref('StreamId'),
      publishedAt: ref('Timestamp'),
      expected: { type: 'integer', minimum: 0, description: 'Devices that owe a receipt (members of the channel at publish time).' },
      devices: { type: 'array', items: ref('DeviceReceipt') },
      next: { type: 'string', pattern: '^\\d+$', description: 'Pass as `after` to read the next page; absent on the last.' },
      states: { type: 'object', additionalProperties: { type: 'integer', minimum: 1 }, description: "This page's devices counted per state." },
    },
  },
  Presence: {
    type: 'object',
    required: ['channel', 'online', 'devices'],
    properties: {
      channel: ref('Channel'),
      online: { type: 'integer', minimum: 0, description: 'Distinct devices online.' },
      devices: {
        type: 'array',
        description: 'One entry per device and node it is connected through.',
        items: {
          type: 'object',
          required: ['device', 'node', 'since', 'lastSeen'],
          properties: { device: ref('Device'), node: { type: 'string' }, since: ref('Timestamp'), lastSeen: ref('Timestamp') },
        },
      },
    },
  },
};
