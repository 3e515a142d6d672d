import { adminPaths } from './admin-paths.js';
import { adminSchemas } from './admin-schemas.js';
import { commonSchemas } from './common-schemas.js';
import { eventSchemas } from './event-schemas.js';
import { groupPaths } from './group-paths.js';
import { groupSchemas } from './group-schemas.js';
import { opsPaths } from './ops-paths.js';
import { parameters } from './parameters.js';
import { publishPaths } from './publish-paths.js';
import { receiptPaths } from './receipt-paths.js';
import { receiptSchemas } from './receipt-schemas.js';
import { securitySchemes } from './security.js';
import { streamPaths } from './stream-paths.js';

const DESCRIPTION = `Publish events to channels over HTTP; receive them over Server-Sent Events, WebSocket or long-polling; confirm receipt; see presence; share a channel's events among backend consumers with consumer groups.

Every error is \`{ "error": { "code", "message" } }\` with a stable code (docs/errors.md). A method a path does not serve answers 405 \`TIDINGS_METHOD_NOT_ALLOWED\` with an \`Allow\` header; an unknown path 404 \`TIDINGS_NOT_FOUND\`. Browsers get CORS headers (and \`OPTIONS\` preflights a 204) for the origins in \`--cors-origins\`.`;

/**
 * The OpenAPI 3.1 description of the edge's HTTP API: served at GET /v1/openapi.json and written
 * to docs/openapi.json. test/openapi.e2e.spec.ts holds it to the answers of a running edge.
 */
export const openApiDocument = deepFreeze({
  openapi: '3.1.0',
  info: {
    title: 'Tidings',
    version: '1.0.0',
    summary: 'A Redis-backed, horizontally scaled notification cluster.',
    description: DESCRIPTION,
    license: { name: 'MIT', identifier: 'MIT' },
  },
  jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
  tags: [
    { name: 'events', description: 'Publish and read history.' },
    { name: 'subscribe', description: 'SSE, long-poll and WebSocket.' },
    { name: 'receipts', description: 'Receipts of ack events, and presence.' },
    { name: 'consumer groups', description: "Backend consumers sharing a channel's events." },
    { name: 'admin', description: 'The cluster, and API keys.' },
    { name: 'operations', description: 'Health, readiness, metrics (these three answer any method as they answer GET), and this document.' },
  ],
  paths: { ...publishPaths, ...streamPaths, ...receiptPaths, ...groupPaths, ...adminPaths, ...opsPaths },
  components: {
    schemas: { ...commonSchemas, ...eventSchemas, ...receiptSchemas, ...groupSchemas, ...adminSchemas },
    parameters,
    securitySchemes,
  },
});

/** The document as served and committed: two-space JSON and a final newline. */
export const openApiJson = `${JSON.stringify(openApiDocument, null, 2)}\n`;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
