import type { ScenarioReport } from '@tidings/testing';
import { describe, expect, it } from 'vitest';
import { faultsTable, TABLE_END, TABLE_START, withFaultsRows, withFaultsTable } from './faults-table.js';

const report = (overrides: Partial<ScenarioReport>): ScenarioReport => ({
  scenario: 'edge-kill',
  clients: 8,
  published: 120,
  subscribers: 6,
  missing: 0,
  missingEvents: 0,
  duplicated: 0,
  outOfOrder: 0,
  resets: 0,
  faults: [],
  refused: 1,
  failedAttempts: 2,
  unexpected: [],
  reconnects: 3,
  maxRecoveryMs: 1500,
  publishMs: { p50: 3, p99: 40 },
  lostByRedis: 0,
  lossWindowMs: 0,
  missingKept: 0,
  ...overrides,
});

describe('the faults table', () => {
  it('has a row per scenario: events some device missed, what Redis lost with its window, receipts that did not end once', () => {
    const receipts = { pairs: 60, answered: 40, dead: 20, unsettled: 1, wrongEnd: 1, wrongRetries: 1, lettersMissing: 1, lettersDuplicated: 1, letterRepeats: 4 };
    const table = faultsTable([
      report({}),
      report({ scenario: 'redis-restart-everysec', missing: 4, missingEvents: 2, lostByRedis: 3, lossWindowMs: 812 }),
      report({ scenario: 'worker-kill', receipts }),
    ]);
    expect(table.split('\n')).toEqual([
      '| scenario | clients | events | lost | duplicated | resets | publish retries | max recovery time |',
      '|---|---|---|---|---|---|---|---|',
      '| edge-kill | 8 | 120 | 0 | 0 | 0 | 3 | 1.5 s |',
      '| redis-restart-everysec | 8 | 120 | 2 (Redis lost 3: 812 ms window) | 0 | 0 | 3 | 1.5 s |',
      '| worker-kill | 8 | 120 | 2 | 2 | 0 | 3 | 1.5 s |', // receipts: unsettled, no letter; a round twice, two letters
    ]);
  });

  it('replaces what lies between the README markers, and nothing else', () => {
    const readme = `# T\n\nbefore\n${TABLE_START}\nold\n${TABLE_END}\nafter\n`;
    expect(withFaultsTable(readme, 'new')).toBe(`# T\n\nbefore\n${TABLE_START}\nnew\n${TABLE_END}\nafter\n`);
    expect(() => withFaultsTable('# no markers', 'new')).toThrow(/faults-table:start/);
  });

  it('puts the rows of scenarios measured again in place of theirs, keeping the others in the suite\'s order', () => {
    const readme = `${TABLE_START}\n${faultsTable([report({}), report({ scenario: 'worker-race', maxRecoveryMs: 9000 }), report({ scenario: 'slow-consumers' })])}\n${TABLE_END}\n`;
    const again = faultsTable([report({ scenario: 'worker-race', maxRecoveryMs: 300 }), report({ scenario: 'reconnect-storm', clients: 20000 })]);
    const rows = withFaultsRows(readme, again, ['edge-kill', 'worker-race', 'reconnect-storm', 'slow-consumers']).split('\n').slice(3, -2);
    expect(rows.map((row) => row.split(' | ')[0])).toEqual(['| edge-kill', '| worker-race', '| reconnect-storm', '| slow-consumers']);
    expect(rows[1]).toContain('| 0.3 s |');
  });
});
