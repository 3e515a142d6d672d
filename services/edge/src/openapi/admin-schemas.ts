import { ref, type Schema } from './openapi-types.js';

const grants = (what: string): Schema => ({ type: 'array', items: ref('Subscription'), description: `Channels and patterns it may ${what}.` });

/** The admin API (nodes, connections, groups, API keys) and the health answers. */
export const adminSchemas: Record<string, Schema> = {
  Nodes: {
    type: 'object',
    required: ['nodes'],
    properties: {
      nodes: {
        type: 'array',
        description: 'Every edge that reported, alive or not: a crashed one shows `alive: false` until pruned, a drained one leaves.',
        items: {
          type: 'object',
          required: ['node', 'startedAt', 'connections', 'subscriptions', 'lastSeen', 'alive'],
          properties: {
            node: { type: 'string' },
            startedAt: ref('Timestamp'),
            connections: ref('TransportCounts'),
            subscriptions: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Open subscriptions per channel or pattern on this node.' },
            lastSeen: ref('Timestamp'),
            alive: { type: 'boolean' },
          },
        },
      },
    },
  },
  TransportCounts: {
    type: 'object',
    required: ['sse', 'ws'],
    properties: {
      sse: { type: 'integer', minimum: 0 },
      ws: { type: 'integer', minimum: 0 },
      mqtt: { type: 'integer', minimum: 0, description: 'MQTT over WebSocket (`/mqtt`); absent from nodes older than MQTT support.' },
    },
  },
  Connections: {
    type: 'object',
    required: ['total', 'transports', 'nodes', 'channels'],
    properties: {
      total: { type: 'integer', minimum: 0 },
      transports: ref('TransportCounts'),
      nodes: { type: 'integer', minimum: 0, description: 'Live nodes counted.' },
      channels: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Subscriptions per channel or pattern, summed over live nodes.' },
    },
  },
  AdminGroups: {
    type: 'object',
    required: ['groups', 'truncated'],
    properties: { groups: { type: 'array', items: ref('Group') }, truncated: { type: 'boolean', description: 'More groups exist than one answer lists.' } },
  },
  AdminChannels: {
    type: 'object',
    required: ['channels', 'truncated'],
    properties: { channels: { type: 'array', items: ref('Channel') }, truncated: { type: 'boolean', description: 'More channels exist than `limit`.' } },
  },
  ConsoleToken: {
    type: 'object',
    required: ['token', 'expiresAt', 'expiresIn'],
    properties: {
      token: { type: ['string', 'null'], description: 'A JWT granting subscribe, publish and consume on `#`, for no device; any edge sharing the admin token accepts it.' },
      expiresAt: { oneOf: [ref('Timestamp'), { type: 'null' }] },
      expiresIn: { type: ['integer', 'null'], minimum: 60, maximum: 3600, description: 'Its lifetime in seconds (`--auth-console-token-seconds`).' },
    },
  },
  ApiKeyRequest: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', pattern: '^[\\x20-\\x7e]{1,100}$' },
      publish: grants('publish on (and read the receipts of)'),
      subscribe: grants('subscribe to (and read the history and presence of)'),
      consume: grants('use the consumer groups of'),
    },
    additionalProperties: false,
    description: 'At least one pattern in publish, subscribe or consume.',
  },
  ApiKey: {
    type: 'object',
    required: ['id', 'name', 'publish', 'subscribe', 'consume', 'createdAt'],
    properties: apiKeyFields(),
  },
  ApiKeyCreated: {
    type: 'object',
    required: ['id', 'name', 'publish', 'subscribe', 'consume', 'createdAt', 'key'],
    properties: { ...apiKeyFields(), key: { type: 'string', pattern: '^tk_', description: 'The key itself, shown in this answer only: send it as `Authorization: Bearer <key>`.' } },
  },
  ApiKeyList: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: ref('ApiKey') } } },
  ApiKeyRevoked: { type: 'object', required: ['id', 'revoked'], properties: { id: { type: 'string' }, revoked: { const: true } } },
  Health: { type: 'object', required: ['status', 'node'], properties: { status: { const: 'ok' }, node: { type: 'string' } } },
  Readiness: {
    type: 'object',
    required: ['ready', 'draining', 'store', 'node'],
    properties: {
      ready: { type: 'boolean' },
      draining: { type: 'boolean', description: 'The node is shutting down.' },
      store: { type: 'boolean', description: 'The event store (Redis) is reachable.' },
      node: { type: 'string' },
    },
  },
};

function apiKeyFields(): Record<string, Schema> {
  return {
    id: { type: 'string' },
    name: { type: 'string' },
    publish: grants('publish on'),
    subscribe: grants('subscribe to'),
    consume: grants('use the consumer groups of'),
    createdAt: ref('Timestamp'),
    revokedAt: ref('Timestamp'),
  };
}
