import type { ConfigOption } from './list-options.js';

/** Which environment variables a config owns, so that a typo there is an error, not a no-op. */
export interface EnvPolicy {
  /** Variables starting with this belong to the config being loaded… */
  readonly prefix: string;
  /** …except these, which belong to other Tidings commands: a name, or a prefix ending in `_`. */
  readonly foreign: readonly string[];
}

export interface SourceReading {
  /** Nested JSON values for the schema, one object per section even when nothing was given. */
  readonly input: Record<string, unknown>;
  /** The text each option was given as, by dotted path, for error messages. */
  readonly texts: ReadonlyMap<string, string>;
  /** Problems found before the schema runs: unknown flags and variables, missing values. */
  readonly issues: readonly string[];
}

/**
 * Reads argv flags (`--x=v`, `--x v`, booleans as bare `--x`) over environment variables.
 * An empty environment variable counts as unset (`PORT=` in a shell or a manifest means
 * "no value"); a flag given twice keeps its last value, so wrappers can append overrides.
 */
export function readSources(
  options: readonly ConfigOption[],
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  policy: EnvPolicy,
): SourceReading {
  const texts = new Map<string, string>();
  for (const option of options) {
    const value = env[option.env];
    if (value !== undefined && value !== '') texts.set(option.path, value);
  }
  const issues = [...readArgv(options, argv, texts), ...unknownEnv(options, env, policy)];
  const input: Record<string, unknown> = {};
  for (const option of options) {
    const keys = option.path.split('.');
    let section = input;
    for (const key of keys.slice(0, -1)) section = (section[key] ??= {}) as Record<string, unknown>;
    const text = texts.get(option.path);
    if (text !== undefined) section[keys[keys.length - 1]!] = fromText(option, text);
  }
  return { input, texts, issues };
}

function readArgv(options: readonly ConfigOption[], argv: readonly string[], texts: Map<string, string>): string[] {
  const byFlag = new Map(options.map((o) => [o.flag, o]));
  const issues: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      issues.push(`unexpected argument '${arg}': options are --name=value or --name value`);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const option = byFlag.get(name);
    if (!option) {
      const meant = closest(name, [...byFlag.keys()]);
      issues.push(`${name}: unknown flag${suggestion(meant)}`);
      // The value of a mistyped secret flag must not come back as an unexpected argument.
      const next = argv[i + 1];
      if (eq === -1 && meant !== undefined && byFlag.get(meant)?.kind === 'secret' && next !== undefined && !next.startsWith('--')) i++;
      continue;
    }
    if (eq !== -1) texts.set(option.path, arg.slice(eq + 1));
    else if (option.kind === 'boolean') texts.set(option.path, 'true');
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) issues.push(`${name}: needs a value (${option.values})`);
      else {
        texts.set(option.path, next);
        i++;
      }
    }
  }
  return issues;
}

function unknownEnv(options: readonly ConfigOption[], env: Readonly<Record<string, string | undefined>>, policy: EnvPolicy): string[] {
  const known = new Set(options.map((o) => o.env));
  const isForeign = (name: string) => policy.foreign.some((f) => (f.endsWith('_') ? name.startsWith(f) : name === f));
  return Object.keys(env)
    .filter((name) => name.startsWith(policy.prefix) && env[name] !== undefined && !known.has(name) && !isForeign(name))
    .sort()
    .map((name) => `${name}: unknown environment variable${suggestion(closest(name, [...known]))}`);
}

/** Text to the JSON value the schema expects; text that does not fit is passed on for the schema to reject. */
function fromText(option: ConfigOption, text: string): unknown {
  switch (option.kind) {
    case 'integer':
      return /^-?\d+$/.test(text) ? Number(text) : text;
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower === '1' || lower === 'true') return true;
      if (lower === '0' || lower === 'false') return false;
      return text;
    }
    case 'list':
      return text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    case 'string':
    case 'redis-url':
    case 'secret':
      return text;
  }
}

/** The candidate a typo most likely meant, if one is near enough. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function suggestion(meant: string | undefined): string {
  return meant === undefined ? '' : ` (did you mean ${meant}?)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
