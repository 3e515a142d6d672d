import { errorResponses } from './error-responses.js';
import { json, jsonAnswer, jsonBody, type PathItem, ref } from './openapi-types.js';
import { param } from './parameters.js';
import { CLIENT_SECURITY } from './security.js';

const PUBLISH_ERRORS = [
  'TIDINGS_CHANNEL_INVALID',
  'TIDINGS_BODY_INVALID',
  'TIDINGS_BATCH_INVALID',
  'TIDINGS_EVENT_NAME_INVALID',
  'TIDINGS_IDEMPOTENCY_KEY_INVALID',
  'TIDINGS_UNAUTHORIZED',
  'TIDINGS_TOKEN_EXPIRED',
  'TIDINGS_PUBLISH_FORBIDDEN',
  'TIDINGS_RATE_LIMITED',
];

/** Publishing (one event, a batch) and reading a channel's history. */
export const publishPaths: Record<string, PathItem> = {
  '/v1/channels/{channel}/events': {
    parameters: [param('channel')],
    post: {
      operationId: 'publish',
      tags: ['events'],
      summary: 'Publish one event',
      description:
        'A JSON body (`application/json` or any `+json` type) is the envelope. Any other body is the envelope when it is a JSON object with a `data` key, else the whole body is the text `data` (so `curl -d hi` works).',
      security: CLIENT_SECURITY,
      requestBody: {
        required: true,
        content: { ...json(ref('PublishRequest')), 'text/plain': { schema: { type: 'string', minLength: 1 } } },
      },
      responses: {
        '201': jsonAnswer('Published.', 'Published'),
        '200': jsonAnswer('A repeated idempotency key: the original event, `duplicate: true`, nothing written.', 'Published'),
        ...errorResponses([400, 401, 403, 413, 429, 500, 503], PUBLISH_ERRORS),
      },
    },
    get: {
      operationId: 'history',
      tags: ['events'],
      summary: "Read a page of the channel's log, oldest first",
      security: CLIENT_SECURITY,
      parameters: [
        { name: 'since', in: 'query', schema: { type: 'string' }, description: 'After this event id; `0` (the default) from the oldest retained event.' },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1 }, description: 'Events per page: 100 by default, at most `--limits-max-history-limit`.' },
      ],
      responses: {
        '200': jsonAnswer('A page; `next` when it is full, `reset` naming events that are gone.', 'HistoryPage'),
        ...errorResponses([400, 401, 403, 500, 503], ['TIDINGS_CHANNEL_INVALID', 'TIDINGS_QUERY_INVALID', 'TIDINGS_UNAUTHORIZED', 'TIDINGS_TOKEN_EXPIRED', 'TIDINGS_SUBSCRIBE_FORBIDDEN']),
      },
    },
  },
  '/v1/publish': {
    post: {
      operationId: 'publishBatch',
      tags: ['events'],
      summary: 'Publish a batch of events, to any channels',
      description: 'Every event is validated before any is written; they are appended in order. When the store fails midway the 503 answer lists what was written.',
      security: CLIENT_SECURITY,
      requestBody: jsonBody('BatchRequest'),
      responses: {
        '201': jsonAnswer('All published, in order.', 'BatchPublished'),
        ...errorResponses([400, 401, 403, 413, 429, 500], PUBLISH_ERRORS),
        '503': {
          description: 'Unavailable: `TIDINGS_UNAVAILABLE`. When some events were written before the store failed, `events` lists them.',
          content: json(ref('BatchStopped')),
        },
      },
    },
  },
};
