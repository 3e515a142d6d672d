import { errorResponses } from './error-responses.js';
import { jsonAnswer, jsonBody, type PathItem, type Schema } from './openapi-types.js';
import { param } from './parameters.js';
import { CLIENT_SECURITY } from './security.js';

/** What every group route can refuse: the credentials, the channel, the group. */
const TARGET = ['TIDINGS_CHANNEL_INVALID', 'TIDINGS_GROUP_INVALID', 'TIDINGS_UNAUTHORIZED', 'TIDINGS_TOKEN_EXPIRED', 'TIDINGS_CONSUME_FORBIDDEN', 'TIDINGS_GROUP_NOT_FOUND'];
const WITH_BODY = [...TARGET, 'TIDINGS_BODY_INVALID'];
const WITH_IDS = [...WITH_BODY, 'TIDINGS_EVENT_ID_INVALID'];
const READ = [400, 401, 403, 500, 503];
const READ_ONE = [400, 401, 403, 404, 500, 503];
const WRITE = [400, 401, 403, 404, 413, 500, 503];

interface GroupOperation {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly answers: Record<string, Schema>;
  readonly statuses: readonly number[];
  readonly codes: readonly string[];
  readonly requestBody?: Schema;
}

function groupOperation({ answers, statuses, codes, ...rest }: GroupOperation): Schema {
  return { ...rest, tags: ['consumer groups'], security: CLIENT_SECURITY, responses: { ...answers, ...errorResponses(statuses, codes) } };
}

const settle = (operationId: string, summary: string, description: string): Schema =>
  groupOperation({ operationId, summary, description, answers: { '200': jsonAnswer('An outcome per id.', 'Settled') }, statuses: WRITE, codes: WITH_IDS, requestBody: jsonBody('EventIds') });

/**
 * Consumer groups on a channel's log (README "Consumer groups"): each event to one consumer of a
 * group, at least once, handed out again after the visibility timeout, dead-lettered after
 * maxDeliveries. Credentials need `consume` rights on the channel.
 */
export const groupPaths: Record<string, PathItem> = {
  '/v1/channels/{channel}/groups': {
    parameters: [param('channel')],
    get: groupOperation({ operationId: 'listGroups', summary: "The channel's consumer groups", answers: { '200': jsonAnswer('The groups.', 'GroupList') }, statuses: READ, codes: TARGET }),
  },
  '/v1/channels/{channel}/groups/{group}': {
    parameters: [param('channel'), param('group')],
    get: groupOperation({ operationId: 'getGroup', summary: 'One consumer group', answers: { '200': jsonAnswer('The group.', 'Group') }, statuses: READ_ONE, codes: TARGET }),
    put: groupOperation({
      operationId: 'putGroup',
      summary: 'Create a consumer group, or update its settings',
      answers: { '201': jsonAnswer('Created.', 'GroupPut'), '200': jsonAnswer('It existed: settings updated, position kept.', 'GroupPut') },
      statuses: [400, 401, 403, 413, 500, 503],
      codes: WITH_BODY,
      requestBody: { ...jsonBody('GroupSettings', false), description: 'Optional: an empty body means the defaults.' },
    }),
    delete: groupOperation({
      operationId: 'deleteGroup',
      summary: 'Delete a consumer group, its pending events and dead letters',
      answers: { '200': jsonAnswer('Deleted.', 'GroupDeleted') },
      statuses: READ_ONE,
      codes: TARGET,
    }),
  },
  '/v1/channels/{channel}/groups/{group}/claim': {
    parameters: [param('channel'), param('group')],
    post: groupOperation({
      operationId: 'claim',
      summary: 'Claim events for one consumer',
      description: 'First events whose visibility timeout ran out, then new ones; at once when there are any, else as soon as one arrives or after `wait` seconds.',
      answers: { '200': jsonAnswer('Events (possibly none), resets, and events this claim dead-lettered.', 'Claim') },
      statuses: WRITE,
      codes: [...WITH_BODY, 'TIDINGS_CONSUMER_INVALID'],
      requestBody: jsonBody('ClaimRequest'),
    }),
  },
  '/v1/channels/{channel}/groups/{group}/acks': {
    parameters: [param('channel'), param('group')],
    post: settle('ackGroupEvents', 'Acknowledge claimed events', 'Done with them: no consumer gets them again.'),
  },
  '/v1/channels/{channel}/groups/{group}/nacks': {
    parameters: [param('channel'), param('group')],
    post: settle('nackGroupEvents', 'Give claimed events back at once', 'The next claim of any consumer gets them.'),
  },
};
