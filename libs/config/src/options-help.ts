// `tidings edge --help` and its siblings: the options of a service, from the same schema that
// parses them and generates docs/config.md, so the three cannot disagree.
import type { ConfigOption } from './list-options.js';

/** Whether a service's arguments ask for its help rather than a run. */
export function asksForHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** The help text of a service command: usage, what it does, then each option with its variable. */
export function renderOptionsHelp(usage: string, summary: string, options: readonly ConfigOption[]): string {
  const lines = [`Usage: ${usage}`, '', summary, '', 'Options (flags override environment variables; details in docs/config.md):'];
  for (const option of options) {
    const value = option.kind === 'boolean' ? '' : ` <${option.values}>`;
    lines.push(`  ${option.flag}${value}`, `      ${option.description} Default: ${option.default || 'none'}. Env: ${option.env}.`);
  }
  return `${lines.join('\n')}\n`;
}
