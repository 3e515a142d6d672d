import { errorResponses } from './error-responses.js';
import { jsonAnswer, jsonBody, type PathItem, type Schema } from './openapi-types.js';
import { ADMIN_SECURITY } from './security.js';

const tags = ['admin'];
const ADMIN_ERRORS = ['TIDINGS_UNAUTHORIZED', 'TIDINGS_BODY_INVALID', 'TIDINGS_CHANNEL_INVALID', 'TIDINGS_PATTERN_INVALID', 'TIDINGS_NOT_FOUND'];

function adminOperation(operationId: string, summary: string, answer: Schema, statuses: readonly number[], extra: Record<string, unknown> = {}): Schema {
  return { operationId, tags, summary, security: ADMIN_SECURITY, ...extra, responses: { ...answer, ...errorResponses(statuses, ADMIN_ERRORS) } };
}

/** The admin API: the cluster's nodes, connections, channels and consumer groups, API keys, and the console's token. */
export const adminPaths: Record<string, PathItem> = {
  '/v1/admin/nodes': {
    get: adminOperation('adminNodes', "Every edge's last report", { '200': jsonAnswer('The nodes.', 'Nodes') }, [401, 500, 503]),
  },
  '/v1/admin/connections': {
    get: adminOperation('adminConnections', 'Connections per transport and subscriptions per channel, summed over live nodes', { '200': jsonAnswer('The counts.', 'Connections') }, [401, 500, 503]),
  },
  '/v1/admin/groups': {
    get: adminOperation('adminGroups', 'Every consumer group, of every channel', { '200': jsonAnswer('The groups.', 'AdminGroups') }, [401, 500, 503]),
  },
  '/v1/admin/channels': {
    get: adminOperation(
      'adminChannels',
      'Channels holding events, by name (from the directory the edges keep for wildcard subscriptions)',
      { '200': jsonAnswer('The first channels by name.', 'AdminChannels'), ...errorResponses([400], ['TIDINGS_QUERY_INVALID']) },
      [401, 500, 503],
      { parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 200 } }] },
    ),
  },
  '/v1/admin/console-token': {
    post: adminOperation(
      'consoleToken',
      'A short-lived token with every right, for the web console (see SECURITY.md, "The web console")',
      { '200': jsonAnswer('The token, or nulls on an anonymous node without an admin token (nothing to mint).', 'ConsoleToken') },
      [401, 500, 503],
    ),
  },
  '/v1/admin/keys': {
    get: adminOperation('listApiKeys', 'Every API key, revoked ones too, never a secret', { '200': jsonAnswer('The keys.', 'ApiKeyList') }, [401, 500, 503]),
    post: adminOperation('createApiKey', 'Make an API key', { '201': jsonAnswer('Made: the key is in this answer only.', 'ApiKeyCreated') }, [400, 401, 413, 500, 503], {
      requestBody: jsonBody('ApiKeyRequest'),
    }),
  },
  '/v1/admin/keys/{id}': {
    parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
    delete: adminOperation('revokeApiKey', 'Revoke an API key', { '200': jsonAnswer('Revoked: every node refuses it within seconds.', 'ApiKeyRevoked') }, [401, 404, 500, 503]),
  },
};
