import { errorResponses } from './error-responses.js';
import { jsonAnswer, type PathItem } from './openapi-types.js';
import { param } from './parameters.js';
import { CLIENT_SECURITY } from './security.js';

const SUBSCRIBE_ERRORS = [
  'TIDINGS_CHANNEL_INVALID',
  'TIDINGS_PATTERN_INVALID',
  'TIDINGS_CURSOR_INVALID',
  'TIDINGS_QUERY_INVALID',
  'TIDINGS_TOO_MANY_CHANNELS',
  'TIDINGS_DEVICE_INVALID',
  'TIDINGS_UNAUTHORIZED',
  'TIDINGS_TOKEN_EXPIRED',
  'TIDINGS_SUBSCRIBE_FORBIDDEN',
  'TIDINGS_DEVICE_FORBIDDEN',
  'TIDINGS_ORIGIN_FORBIDDEN',
  'TIDINGS_TOO_MANY_PATTERNS',
  'TIDINGS_TOO_MANY_CONNECTIONS',
];

const since = (what: string) => ({
  name: 'since',
  in: 'query',
  schema: { type: 'string' },
  description: `Where to resume${what}: a cursor, an event id (after it in every channel) or \`0\` (the oldest retained event). None: from now.`,
});

const SSE_DESCRIPTION = `A Server-Sent Events stream (\`new EventSource(url)\`). What it carries:

- on open, \`retry: <ms>\` (\`--sse-retry-ms\`) and an \`id:\` with no data: the subscription's starting cursor;
- each event as \`id:\` (a cursor for the whole subscription), \`event:\` (the event's name, or \`message\` with \`uniform=1\`) and \`data:\` (the JSON envelope \`{"channel","id","event","data"}\`, plus \`"ack":true\` on ack events and \`"redelivery":true\` on the worker's retries, which carry no \`id:\`);
- \`event: reset\` with \`data: {"channel","lostFrom","lostTo","reason"}\` when events after the resume point are gone (retention, a lost stream, an expired membership) — never silent loss;
- \`event: presence\` \`{"channel","device","node","action":"join"|"leave","reason"?}\` with \`presence=1\`;
- comment lines (\`: hb\`) as heartbeats on idle streams, every \`--sse-heartbeat-seconds\`;
- \`event: token-expired\` \`{"code","message"}\` when the token runs out, before the stream ends: reconnect with a fresh token and resume;
- \`event: error\` \`{"code","message"}\` when the subscription is refused after the stream opened (for example too many channels to track), before it ends.

A stream can also end without a word (a slow consumer, a draining or failed node): reconnect and resume from the last \`id:\`.

Resume with the \`Last-Event-ID\` header (browsers send it on their own reconnects), \`lastEventId=\` or \`since=\`. Errors before the stream opens are JSON answers.`;

/** The subscribe transports: SSE, long-poll and the WebSocket upgrade. */
export const streamPaths: Record<string, PathItem> = {
  '/v1/sse': {
    get: {
      operationId: 'subscribeSse',
      tags: ['subscribe'],
      summary: 'Subscribe over Server-Sent Events',
      description: SSE_DESCRIPTION,
      security: CLIENT_SECURITY,
      parameters: [
        param('subscribeChannels'),
        { name: 'Last-Event-ID', in: 'header', schema: { type: 'string' }, description: 'The last `id:` received: resumes the whole subscription after it.' },
        { name: 'lastEventId', in: 'query', schema: { type: 'string' }, description: 'The same as `Last-Event-ID`, for EventSource polyfills.' },
        since(''),
        { name: 'uniform', in: 'query', schema: { enum: ['1'] }, description: '`1`: every event is sent as `event: message` (one `onmessage` handler sees all).' },
        { name: 'presence', in: 'query', schema: { enum: ['0', '1'] }, description: '`1`: also `presence` events (join, leave) for the exact channels.' },
        param('device'),
      ],
      responses: {
        '200': {
          description: 'The stream; it stays open.',
          headers: { 'x-tidings-node': { description: 'The node serving the stream.', schema: { type: 'string' } } },
          content: { 'text/event-stream': { schema: { type: 'string' } } },
        },
        ...errorResponses([400, 401, 403, 409, 429, 500, 503], SUBSCRIBE_ERRORS),
      },
    },
  },
  '/v1/poll': {
    get: {
      operationId: 'poll',
      tags: ['subscribe'],
      summary: 'Long-poll for events',
      description: 'Answers at once when events exist after `since`, else when the first arrives or the timeout ends (with no events). Pass the answer\'s `cursor` as the next `since`.',
      security: CLIENT_SECURITY,
      parameters: [
        param('subscribeChannels'),
        since(''),
        { name: 'timeout', in: 'query', schema: { type: 'integer', minimum: 0 }, description: 'Seconds to wait: 25 by default, at most `--limits-poll-max-timeout-seconds`.' },
        param('device'),
      ],
      responses: {
        '200': jsonAnswer('Events (possibly none), resets, and the cursor to poll from next.', 'PollAnswer'),
        ...errorResponses([400, 401, 403, 409, 500, 503], SUBSCRIBE_ERRORS),
      },
    },
  },
  '/v1/ws': {
    get: {
      operationId: 'webSocket',
      tags: ['subscribe'],
      summary: 'Open a WebSocket (JSON frames)',
      description:
        'An HTTP upgrade to a WebSocket speaking JSON text frames. Client frames: `auth {token}`, `subscribe {channel, since?, device?, presence?}`, `unsubscribe {channel}`, `ack {channel, id, status?, detail?}`, `publish {channel, event?, data, ack?, idempotencyKey?}`, `claim`, `groupAck`, `groupNack`, `ping`; any may carry a `ref` the reply echoes. Server frames: `authed`, `subscribed {channel, cursor}`, `unsubscribed`, `event {channel, id, event, data}`, `reset`, `presence`, `published`, `acked`, `claimed`, `groupAcked`, `pong`, `error {code, message}`. Without a token in the handshake (header or `?token=`) the first frame must be `auth`, unless the node is anonymous. Close codes 4000–4499: reconnect and resume; 4500–4999: do not. See README.md, "The interface".',
      security: CLIENT_SECURITY,
      parameters: [param('device')],
      responses: {
        '101': { description: 'Switching Protocols: the WebSocket is open.' },
        ...errorResponses([400, 401, 403, 429, 500, 503], SUBSCRIBE_ERRORS),
      },
    },
  },
};
