import type { z } from 'zod';
import { ConfigError } from './config-error.js';
import { type ConfigOption, listOptions } from './list-options.js';
import { type EnvPolicy, readSources } from './read-sources.js';
import { maskPassword } from './redis-target.js';

export interface ConfigDefinition<S extends z.ZodObject> {
  readonly schema: S;
  /** Prefix of derived environment names: `TIDINGS_` gives `TIDINGS_LIMITS_MAX_BATCH`. */
  readonly envPrefix: string;
  readonly envPolicy: EnvPolicy;
}

/**
 * Reads, checks and freezes one config: every problem is collected into a single ConfigError
 * whose lines name the flag, the environment variable and (for nested keys) the dotted path.
 */
export function loadConfig<S extends z.ZodObject>(
  definition: ConfigDefinition<S>,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): z.output<S> {
  const options = listOptions(definition.schema, definition.envPrefix);
  const { input, texts, issues } = readSources(options, argv, env, definition.envPolicy);
  const result = definition.schema.safeParse(input);
  const lines = [...issues];
  if (!result.success) {
    const byPath = new Map(options.map((o) => [o.path, o]));
    for (const issue of result.error.issues) {
      const path = issue.path.map(String);
      // A list item's issue (cors.origins.1) belongs to its list option and quotes the item.
      const depth = [...path.keys()].reverse().find((n) => byPath.has(path.slice(0, n + 1).join('.')));
      const option = depth === undefined ? undefined : byPath.get(path.slice(0, depth + 1).join('.'));
      if (!option || depth === undefined) lines.push(`${path.join('.') || '(config)'}: ${issue.message}`);
      else if (depth === path.length - 1) lines.push(describeIssue(option, issue.message, texts.get(option.path)));
      else lines.push(describeIssue(option, issue.message, String(valueAt(input, path))));
    }
  }
  if (!result.success || lines.length > 0) throw new ConfigError([...new Set(lines)]);
  return deepFreeze(result.data);
}

function describeIssue(option: ConfigOption, message: string, text: string | undefined): string {
  const where = option.path.includes('.') ? `${option.env}, ${option.path}` : option.env;
  // URLs of any kind may carry a password; a secret is never repeated at all.
  const given = text === undefined ? '' : `, got '${option.kind === 'secret' ? '***' : maskPassword(text)}'`;
  return `${option.flag} (${where}): ${message}${given}`;
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
