/**
 * Everything wrong with a configuration, found in one pass: `issues` holds one line per
 * problem (naming the flag and the environment variable to fix), and the message is those
 * lines joined, so an operator fixes them all at once instead of one per restart.
 */
export class ConfigError extends Error {
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super(issues.join('\n'));
    this.name = 'ConfigError';
    this.issues = Object.freeze([...issues]);
  }
}
