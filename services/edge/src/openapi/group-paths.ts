import { errorResponses } from './error-responses.js';
import { jsonAnswer, jsonBody, type PathItem, type Schema } from './openapi-types.js';
import { param } from './parameters.js';
import { CLIENT_SECURITY } from './security.js';

const ERRORS_OF_GROUPS = [
  'TIDINGS_CHANNEL_INVALID',
  'TIDINGS_GROUP_INVALID',
  'TIDINGS_CONSUMER_INVALID',
  'TIDINGS_BODY_INVALID',
  'TIDINGS_EVENT_ID_INVALID',
  'TIDINGS_UNAUTHORIZED',
  'TIDINGS_TOKEN_EXPIRED',
  'TIDINGS_CONSUME_FORBIDDEN',
  'TIDINGS_GROUP_NOT_FOUND',
];

const tags = ['consumer groups'];

function groupOperation(operationId: string, summary: string, answer: Schema, statuses: readonly number[], extra: Record<string, unknown> = {}): Schema {
  return { operationId, tags, summary, security: CLIENT_SECURITY, ...extra, responses: { ...answer, ...errorResponses(statuses, ERRORS_OF_GROUPS) } };
}

/**
 * Consumer groups on a channel's log (README "Consumer groups"): each event to one consumer of a
 * group, at least once, handed out again after the visibility timeout, dead-lettered after
 * maxDeliveries. Credentials need `consume` rights on the channel.
 */
export const groupPaths: Record<string, PathItem> = {
  '/v1/channels/{channel}/groups': {
    parameters: [param('channel')],
    get: groupOperation('listGroups', "The channel's consumer groups", { '200': jsonAnswer('The groups.', 'GroupList') }, [400, 401, 403, 500, 503]),
  },
  '/v1/channels/{channel}/groups/{group}': {
    parameters: [param('channel'), param('group')],
    get: groupOperation('getGroup', 'One consumer group', { '200': jsonAnswer('The group.', 'Group') }, [400, 401, 403, 404, 500, 503]),
    put: groupOperation(
      'putGroup',
      'Create a consumer group, or update its settings',
      { '201': jsonAnswer('Created.', 'GroupPut'), '200': jsonAnswer('It existed: settings updated, position kept.', 'GroupPut') },
      [400, 401, 403, 413, 500, 503],
      { requestBody: { ...jsonBody('GroupSettings', false), description: 'Optional: an empty body means the defaults.' } },
    ),
    delete: groupOperation('deleteGroup', 'Delete a consumer group, its pending events and dead letters', { '200': jsonAnswer('Deleted.', 'GroupDeleted') }, [400, 401, 403, 404, 500, 503]),
  },
  '/v1/channels/{channel}/groups/{group}/claim': {
    parameters: [param('channel'), param('group')],
    post: groupOperation('claim', 'Claim events for one consumer', { '200': jsonAnswer('Events (possibly none), resets and events dead-lettered by this claim.', 'Claim') }, [400, 401, 403, 404, 413, 500, 503], {
      description: 'First events whose visibility timeout ran out, then new ones; at once when there are any, else as soon as one arrives or after `wait` seconds.',
      requestBody: jsonBody('ClaimRequest'),
    }),
  },
  '/v1/channels/{channel}/groups/{group}/acks': {
    parameters: [param('channel'), param('group')],
    post: groupOperation('ackGroupEvents', 'Acknowledge claimed events', { '200': jsonAnswer('An outcome per id.', 'Settled') }, [400, 401, 403, 404, 413, 500, 503], {
      requestBody: jsonBody('EventIds'),
    }),
  },
  '/v1/channels/{channel}/groups/{group}/nacks': {
    parameters: [param('channel'), param('group')],
    post: groupOperation('nackGroupEvents', 'Give claimed events back at once', { '200': jsonAnswer('An outcome per id.', 'Settled') }, [400, 401, 403, 404, 413, 500, 503], {
      description: 'The next claim of any consumer gets them.',
      requestBody: jsonBody('EventIds'),
    }),
  },
};
