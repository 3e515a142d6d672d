import { errorResponses } from './error-responses.js';
import { jsonAnswer, json, type PathItem, ref } from './openapi-types.js';
import { OPEN } from './security.js';

const tags = ['operations'];

/** Health, readiness, metrics and this document. */
export const opsPaths: Record<string, PathItem> = {
  '/healthz': {
    get: { operationId: 'health', tags, summary: 'The process is alive', security: OPEN, responses: { '200': jsonAnswer('Alive.', 'Health') } },
  },
  '/readyz': {
    get: {
      operationId: 'readiness',
      tags,
      summary: 'The node takes traffic',
      description: 'Not ready while draining (shutting down) or while the event store is unreachable: a load balancer should send it nothing.',
      security: OPEN,
      responses: { '200': jsonAnswer('Ready.', 'Readiness'), '503': { description: 'Not ready.', content: json(ref('Readiness')) } },
    },
  },
  '/metrics': {
    get: {
      operationId: 'metrics',
      tags,
      summary: 'Prometheus metrics',
      description: 'Also served on `--metrics-port` when one is set.',
      security: OPEN,
      responses: {
        '200': { description: 'The Prometheus text exposition format.', content: { 'text/plain': { schema: { type: 'string' } } } },
        ...errorResponses([500]),
      },
    },
  },
  '/v1/openapi.json': {
    get: {
      operationId: 'openApi',
      tags,
      summary: 'This document',
      security: OPEN,
      responses: {
        '200': {
          description: 'The OpenAPI 3.1 description of the HTTP API (also docs/openapi.json).',
          content: json({
            type: 'object',
            required: ['openapi', 'info', 'paths'],
            properties: { openapi: { type: 'string', pattern: '^3\\.1\\.' }, info: { type: 'object' }, paths: { type: 'object' } },
          }),
        },
      },
    },
  },
};
