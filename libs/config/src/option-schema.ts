import { z } from 'zod';
import { readRedisUrl } from './redis-target.js';

/** How a flag or environment value (always text) becomes the JSON value the schema checks. */
export type OptionKind = 'integer' | 'boolean' | 'string' | 'list' | 'redis-url' | 'secret';

/** What a config leaf carries besides its type: enough to read it from argv/env and document it. */
export interface OptionMeta {
  readonly kind: OptionKind;
  readonly description: string;
  /** What the value may be, for humans: `integer 1..65536`, `one of a, b`. */
  readonly values: string;
  /** Explicit names for the few options whose names are conventional (PORT, REDIS_URL, …). */
  readonly flag?: string;
  readonly env?: string;
  /** The default as documented, when it is computed at start-up. */
  readonly defaultText?: string;
}

/** Config leaves register here; the loader and the doc generator read it back. */
export const optionRegistry = z.registry<OptionMeta>();

export interface Naming {
  readonly flag?: string;
  readonly env?: string;
}

function boundedInteger(min: number, max: number) {
  const error = `must be an integer ${min}..${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

export function integerOption(min: number, max: number, fallback: number, description: string, naming: Naming = {}) {
  return boundedInteger(min, max)
    .default(fallback)
    .register(optionRegistry, { kind: 'integer', description, values: `integer ${min}..${max}`, ...naming });
}

/** An integer, or null (the default) when the feature it sets is off. */
export function optionalIntegerOption(min: number, max: number, description: string, naming: Naming = {}) {
  return boundedInteger(min, max)
    .nullable()
    .default(null)
    .register(optionRegistry, { kind: 'integer', description, values: `integer ${min}..${max}`, defaultText: '(none)', ...naming });
}

/**
 * A count, or `auto` for the number this machine suggests (clamped to the range). The text `auto`
 * passes the integer reading untouched, so the schema sees either a number or the word.
 */
export function countOrAutoOption(min: number, max: number, fallback: number, auto: () => number, description: string, naming: Naming = {}) {
  const error = `must be an integer ${min}..${max} or auto`;
  return z
    .union([z.number({ error }).int({ error }).min(min, { error }).max(max, { error }), z.literal('auto', { error })], { error })
    .transform((value) => (value === 'auto' ? Math.min(max, Math.max(min, auto())) : value))
    .default(fallback)
    .register(optionRegistry, { kind: 'integer', description, values: `integer ${min}..${max}, or auto`, ...naming });
}

export function booleanOption(description: string, naming: Naming = {}) {
  return z
    .boolean({ error: 'must be 1, 0, true or false' })
    .default(false)
    .register(optionRegistry, { kind: 'boolean', description, values: 'boolean (flag alone = true; env 1/0/true/false)', ...naming });
}

export function enumOption<const T extends readonly [string, ...string[]]>(
  options: T,
  fallback: T[number],
  description: string,
  naming: Naming = {},
) {
  return z
    .enum(options, { error: `must be one of ${options.join(', ')}` })
    .default(fallback)
    .register(optionRegistry, { kind: 'string', description, values: `one of ${options.join(', ')}`, ...naming });
}

export function patternOption(
  pattern: RegExp,
  rule: string,
  fallback: () => string,
  description: string,
  meta: Naming & { readonly defaultText?: string } = {},
) {
  const error = `must be ${rule}`;
  return z
    .string({ error })
    .regex(pattern, { error })
    .default(fallback)
    .register(optionRegistry, { kind: 'string', description, values: rule, ...meta });
}

/** A comma-separated list on the command line and in the environment. */
export function listOption(item: z.ZodString, fallback: string[], description: string, values: string, naming: Naming = {}) {
  return z
    .array(item, { error: `must be ${values}` })
    .min(1, { error: `must list at least one value (${values})` })
    .default(fallback)
    .register(optionRegistry, { kind: 'list', description, values, ...naming });
}

const REDIS_URL_VALUES = 'redis://…, rediss://…, redis-cluster://h1:p1,h2:p2 or rediss-cluster://…';

function redisUrl(whenMissing: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? whenMissing : 'must be a Redis URL') })
    .transform((s, ctx) => {
      const target = readRedisUrl(s);
      if (typeof target !== 'string') return target;
      ctx.addIssue({ code: 'custom', message: target });
      return z.NEVER;
    });
}

export function redisUrlOption(description: string, naming: Naming = {}) {
  return redisUrl('must be a Redis URL')
    .nullable()
    .default(null)
    .register(optionRegistry, { kind: 'redis-url', description, values: REDIS_URL_VALUES, defaultText: '(none)', ...naming });
}

/** A Redis URL the process cannot run without: leaving it out is an error naming both ways to give it. */
export function requiredRedisUrlOption(description: string, naming: Required<Naming>) {
  return redisUrl(`is required: pass ${naming.flag} or set ${naming.env}`).register(optionRegistry, {
    kind: 'redis-url',
    description,
    values: REDIS_URL_VALUES,
    defaultText: '(required)',
    ...naming,
  });
}

export function isHttpUrl(s: string): boolean {
  if (!URL.canParse(s)) return false;
  const url = new URL(s);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

/** An http(s) URL, or null (the default) when what it points to is not used. */
export function httpUrlOption(description: string, naming: Naming = {}) {
  const error = 'must be an http:// or https:// URL';
  return z
    .string({ error })
    .refine(isHttpUrl, { error })
    .nullable()
    .default(null)
    .register(optionRegistry, { kind: 'string', description, values: 'an http:// or https:// URL', ...naming });
}

/** Text never repeated in error messages (shown as ***), or null (the default) when not given. */
export function secretOption(minLength: number, description: string, naming: Naming = {}) {
  const error = `must be at least ${minLength} characters`;
  return z
    .string({ error })
    .min(minLength, { error })
    .nullable()
    .default(null)
    .register(optionRegistry, { kind: 'secret', description, values: `at least ${minLength} characters`, ...naming });
}

/** Free text (a path, an issuer), or null (the default) when not given. */
export function optionalTextOption(description: string, values: string, naming: Naming = {}) {
  const error = 'must be 1-1024 characters';
  return z
    .string({ error })
    .min(1, { error })
    .max(1024, { error })
    .nullable()
    .default(null)
    .register(optionRegistry, { kind: 'string', description, values, defaultText: '(none)', ...naming });
}
