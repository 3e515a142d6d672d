// Shared by the spec files (excluded from the build).
import { expect } from 'vitest';
import { ConfigError } from '../config-error.js';
import type { ConfigOption } from '../list-options.js';

export type Env = Record<string, string | undefined>;

/** The lines of the ConfigError that loading throws; fails the test when it loads instead. */
export function configIssues(load: (argv: readonly string[], env: Env) => unknown, argv: readonly string[], env: Env = {}): readonly string[] {
  try {
    load(argv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** Every leaf of a loaded config is one option, with names of its own and a description (a Redis target counts as a leaf). */
export function expectOneOptionPerLeaf(options: readonly ConfigOption[], config: object): void {
  const leaves = (value: object, prefix = ''): string[] =>
    Object.entries(value).flatMap(([key, child]) =>
      child !== null && typeof child === 'object' && !Array.isArray(child) && key !== 'redis' ? leaves(child, `${prefix}${key}.`) : [`${prefix}${key}`],
    );
  expect(options.map((o) => o.path)).toEqual(leaves(config));
  expect(new Set(options.map((o) => o.flag)).size).toBe(options.length);
  expect(new Set(options.map((o) => o.env)).size).toBe(options.length);
  for (const option of options) expect(option.description).not.toBe('');
}

/** `path → "flag env default"`, to check the names of many options in one expectation. */
export function optionNames(options: readonly ConfigOption[]): Record<string, string> {
  return Object.fromEntries(options.map((o) => [o.path, `${o.flag} ${o.env} ${o.default}`]));
}
