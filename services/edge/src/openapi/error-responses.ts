import { ERRORS } from '@tidings/protocol';
import { json, ref, type Schema } from './openapi-types.js';

const REASONS: Record<number, string> = {
  400: 'Bad request',
  401: 'Missing or invalid credentials',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body too large',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Unavailable',
};

/**
 * The error answers of an operation, each with the one Error schema. `codes` narrows what a status
 * lists to the codes that route can answer; a status without an entry lists every code of that status.
 */
export function errorResponses(statuses: readonly number[], codes: readonly string[] = []): Record<string, Schema> {
  return Object.fromEntries(statuses.map((status) => [String(status), errorResponse(status, codes)]));
}

function errorResponse(status: number, codes: readonly string[]): Schema {
  const ofStatus = Object.entries(ERRORS).filter(([, entry]) => entry.status === status).map(([code]) => code);
  const named = ofStatus.filter((code) => codes.includes(code));
  const listed = named.length > 0 ? named : ofStatus;
  const response: Record<string, unknown> = {
    description: `${REASONS[status] ?? 'Error'}: ${listed.map((code) => `\`${code}\``).join(', ')}.`,
    content: json(ref('Error')),
  };
  if (status === 429) response['headers'] = { 'retry-after': { description: 'Seconds to wait before publishing again (TIDINGS_RATE_LIMITED).', schema: { type: 'integer' } } };
  return response;
}
