import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROMETHEUS_DIR = fileURLToPath(new URL('../prometheus/', import.meta.url));

/** Runs promtool (Debian's prometheus package) in deploy/prometheus and returns its exit status and output. */
function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd: PROMETHEUS_DIR, encoding: 'utf8' });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the alert rules', () => {
  it('pass promtool check rules', () => {
    const { status, output } = promtool('check', 'rules', 'tidings-alerts.yaml');
    expect(output).toContain('SUCCESS: 9 rules found');
    expect(status).toBe(0);
  });

  it('fire when, and only when, their unit tests say (promtool test rules)', () => {
    const { status, output } = promtool('test', 'rules', 'tidings-alerts.test.yaml');
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });
});
