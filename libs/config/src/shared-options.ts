import { hostname } from 'node:os';
import { z } from 'zod';
import { type Naming, enumOption, integerOption, patternOption } from './option-schema.js';

// Options the edge and the worker both have, defined once so that the two read them alike.

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const NODE_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** `<hostname>-<pid>`, squeezed into the node id charset and length. */
export function defaultNodeId(host: string = hostname(), pid: number = process.pid): string {
  const suffix = `-${pid}`;
  const base = host.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 64 - suffix.length) || 'edge';
  return `${base}${suffix}`;
}

/** The name a process goes by in logs, metrics and Redis, `<hostname>-<pid>` unless given. */
export function nodeIdOption(description: string, naming: Naming = {}) {
  return patternOption(NODE_ID, '1-64 characters of A-Z a-z 0-9 _ . -', () => defaultNodeId(), description, {
    defaultText: '<hostname>-<pid>',
    ...naming,
  });
}

/** An address to listen on. */
export function hostOption(description: string, naming: Naming = {}) {
  return patternOption(/^[A-Za-z0-9_.:%-]{1,253}$/, 'a host name or IP address', () => '0.0.0.0', description, naming);
}

export const logLevelOption = enumOption(LOG_LEVELS, 'info', 'Log level (JSON lines on stdout).', { flag: '--log-level', env: 'LOG_LEVEL' });

// Edges trim a stream as they append to it and the worker's pruner trims the idle ones, so both
// must trim by the same numbers: the worker reads them under the edge's names (not under
// TIDINGS_WORKER_), and one variable in a shared environment sets both.
export const retentionSection = z.strictObject({
  maxLength: integerOption(
    1,
    100_000_000,
    10_000,
    'Events kept per channel for history and resume; trimming is approximate, so at least this many stay.',
    { env: 'TIDINGS_RETENTION_MAX_LENGTH' },
  ),
  maxAgeSeconds: integerOption(1, 365 * 86400, 86400, 'Age in seconds after which events are trimmed (approximately, like the length).', {
    env: 'TIDINGS_RETENTION_MAX_AGE_SECONDS',
  }),
});

// Edges write presence with this time-to-live and the worker expires it by the same one.
export const presenceTtlSecondsOption = integerOption(
  2,
  3600,
  30,
  'A device counts as online this long after its edge last reported it (an edge that dies drops out within it).',
  { env: 'TIDINGS_PRESENCE_TTL_SECONDS' },
);

// Edges decide who owes a receipt by membership at publish time and the worker prunes memberships
// by the same idle limit: one setting, read by both under one name.
export const membershipSection = z.strictObject({
  idleSeconds: integerOption(
    2,
    365 * 86400,
    86400,
    'A device stays a member of its channels and durable patterns (owing receipts for ack events, keeping its position) this long after it was last connected, in seconds; one back within twice this long is told what it missed.',
    { env: 'TIDINGS_MEMBERSHIP_IDLE_SECONDS' },
  ),
});
