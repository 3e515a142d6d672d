// The suite's command line: a scenario name, then `--name value` options checked against what
// that scenario declares (integers with bounds, comma lists of known words, integer lists, text).
// Every mistake is one clear line; nothing falls back silently.

export class UsageError extends Error {}

export type OptionSpec =
  | { readonly kind: 'int'; readonly default: number; readonly min: number; readonly max: number; readonly help: string }
  | { readonly kind: 'ints'; readonly default: readonly number[]; readonly min: number; readonly max: number; readonly help: string }
  | { readonly kind: 'words'; readonly default: readonly string[]; readonly allowed: readonly string[]; readonly help: string }
  | { readonly kind: 'text'; readonly default: string | undefined; readonly pattern: RegExp; readonly help: string };

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export interface OptionValues {
  int(name: string): number;
  ints(name: string): readonly number[];
  words(name: string): readonly string[];
  text(name: string): string | undefined;
  /** Every option with its value, for the results file. */
  readonly all: Readonly<Record<string, unknown>>;
}

/** Options every scenario takes. */
export const COMMON_OPTIONS: OptionSpecs = {
  label: { kind: 'text', default: undefined, pattern: /^[A-Za-z0-9_.-]{1,40}$/, help: 'added to the results file name' },
  out: { kind: 'text', default: undefined, pattern: /^.{1,300}$/, help: 'results file (default: bench/results/<scenario>-<date>[-label].json)' },
};

function parseInt(flag: string, value: string, spec: { min: number; max: number }): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < spec.min || n > spec.max) throw new UsageError(`${flag}: '${value}' — expected an integer from ${spec.min} to ${spec.max}`);
  return n;
}

function list(flag: string, value: string): string[] {
  const items = value.split(',').filter((v) => v !== '');
  if (items.length === 0) throw new UsageError(`${flag}: expected a comma list`);
  return items;
}

function parseValue(flag: string, value: string, spec: OptionSpec): unknown {
  switch (spec.kind) {
    case 'int':
      return parseInt(flag, value, spec);
    case 'ints':
      return list(flag, value).map((v) => parseInt(flag, v, spec));
    case 'words': {
      const items = list(flag, value);
      const wrong = items.filter((v) => !spec.allowed.includes(v));
      if (wrong.length > 0) throw new UsageError(`${flag}: '${wrong.join(',')}' — expected a comma list of ${spec.allowed.join(', ')}`);
      return items;
    }
    case 'text':
      if (!spec.pattern.test(value)) throw new UsageError(`${flag}: '${value}' is not allowed here (${spec.help})`);
      return value;
  }
}

export function parseOptions(argv: readonly string[], specs: OptionSpecs): OptionValues {
  const all: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) all[name] = spec.default;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = specs[name];
    if (spec === undefined) throw new UsageError(`unknown option --${name} (see --help)`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    all[name] = parseValue(`--${name}`, value, spec);
  }
  return {
    all,
    int: (name) => all[name] as number,
    ints: (name) => all[name] as readonly number[],
    words: (name) => all[name] as readonly string[],
    text: (name) => all[name] as string | undefined,
  };
}

/** The option lines of a scenario's help. */
export function optionsHelp(specs: OptionSpecs): string {
  return Object.entries(specs)
    .map(([name, spec]) => {
      const fallback = spec.default === undefined ? '' : ` (default: ${Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default)})`;
      return `  --${name.padEnd(18)} ${spec.help}${fallback}`;
    })
    .join('\n');
}
