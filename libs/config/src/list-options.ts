import { z } from 'zod';
import { type OptionKind, optionRegistry } from './option-schema.js';

/** One configurable value, as an operator sees it. */
export interface ConfigOption {
  /** Dotted path in the parsed config: `limits.maxBodyBytes`. */
  readonly path: string;
  readonly flag: string;
  readonly env: string;
  readonly kind: OptionKind;
  /** The default, written as it would be typed on the command line. */
  readonly default: string;
  readonly values: string;
  readonly description: string;
}

/**
 * Walks a config schema (objects of registered leaves, nested one level for sections) and
 * lists its options in schema order. Names follow one rule unless a leaf overrides them:
 * `retention.maxAgeSeconds` → `--retention-max-age-seconds` / `${envPrefix}RETENTION_MAX_AGE_SECONDS`.
 */
export function listOptions(schema: z.ZodObject, envPrefix: string, path: readonly string[] = []): ConfigOption[] {
  const options: ConfigOption[] = [];
  for (const [key, child] of Object.entries(schema.shape)) {
    const childPath = [...path, key];
    if (child instanceof z.ZodObject) {
      options.push(...listOptions(child, envPrefix, childPath));
      continue;
    }
    const meta = optionRegistry.get(child);
    if (!meta) throw new Error(`config schema leaf ${childPath.join('.')} has no option metadata`);
    options.push({
      path: childPath.join('.'),
      flag: meta.flag ?? `--${childPath.map(kebab).join('-')}`,
      env: meta.env ?? `${envPrefix}${childPath.map(snake).join('_')}`,
      kind: meta.kind,
      default: meta.defaultText ?? defaultText(child),
      values: meta.values,
      description: meta.description,
    });
  }
  return options;
}

function defaultText(schema: z.ZodType): string {
  if (!(schema instanceof z.ZodDefault)) return '(none)';
  const value: unknown = schema.def.defaultValue;
  if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) return '(none)';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
