import { errorResponses } from './error-responses.js';
import { jsonAnswer, jsonBody, type PathItem } from './openapi-types.js';
import { param } from './parameters.js';
import { CLIENT_SECURITY } from './security.js';

const AUTH_ERRORS = ['TIDINGS_UNAUTHORIZED', 'TIDINGS_TOKEN_EXPIRED'];

/** Delivery receipts of ack events, and who is online on a channel. */
export const receiptPaths: Record<string, PathItem> = {
  '/v1/channels/{channel}/events/{id}/receipts': {
    parameters: [param('channel'), param('eventId')],
    post: {
      operationId: 'recordReceipt',
      tags: ['receipts'],
      summary: "A device's receipt for an ack event",
      description: 'Repeats answer 200 and change nothing; a receipt that contradicts one recorded (failed after processed, anything after dead) is a 409. With a token, `device` must be its `sub`.',
      security: CLIENT_SECURITY,
      requestBody: jsonBody('ReceiptRequest'),
      responses: {
        '200': jsonAnswer('Recorded, or unchanged.', 'ReceiptRecorded'),
        ...errorResponses(
          [400, 401, 403, 404, 409, 413, 500, 503],
          ['TIDINGS_CHANNEL_INVALID', 'TIDINGS_EVENT_ID_INVALID', 'TIDINGS_BODY_INVALID', 'TIDINGS_DEVICE_INVALID', 'TIDINGS_DEVICE_FORBIDDEN', 'TIDINGS_RECEIPT_NOT_EXPECTED', 'TIDINGS_RECEIPT_CONFLICT', ...AUTH_ERRORS],
        ),
      },
    },
    get: {
      operationId: 'listReceipts',
      tags: ['receipts'],
      summary: "Every expected device's state, a page at a time",
      description: 'For publishers: the credentials must be allowed to publish on the channel.',
      security: CLIENT_SECURITY,
      parameters: [
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1 }, description: 'Devices per page: 100 by default, at most `--limits-max-history-limit`.' },
        { name: 'after', in: 'query', schema: { type: 'string', pattern: '^\\d+$' }, description: "The previous page's `next`." },
      ],
      responses: {
        '200': jsonAnswer('A page of devices; `next` when there are more.', 'ReceiptPage'),
        ...errorResponses(
          [400, 401, 403, 404, 500, 503],
          ['TIDINGS_CHANNEL_INVALID', 'TIDINGS_EVENT_ID_INVALID', 'TIDINGS_QUERY_INVALID', 'TIDINGS_RECEIPTS_FORBIDDEN', 'TIDINGS_NOT_FOUND', ...AUTH_ERRORS],
        ),
      },
    },
  },
  '/v1/channels/{channel}/presence': {
    parameters: [param('channel')],
    get: {
      operationId: 'presence',
      tags: ['receipts'],
      summary: 'Devices online on the channel, cluster-wide',
      description: 'A device counts as online for `--presence-ttl-seconds` after its node last reported it.',
      security: CLIENT_SECURITY,
      responses: {
        '200': jsonAnswer('Devices online, per node.', 'Presence'),
        ...errorResponses([400, 401, 403, 500, 503], ['TIDINGS_CHANNEL_INVALID', 'TIDINGS_SUBSCRIBE_FORBIDDEN', ...AUTH_ERRORS]),
      },
    },
  },
};
