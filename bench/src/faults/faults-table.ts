import type { ScenarioReport } from '@tidings/testing';

/** Where `npm run faults` writes its table in the README; the text between the markers is replaced. */
export const TABLE_START = '<!-- faults-table:start -->';
export const TABLE_END = '<!-- faults-table:end -->';

/** The README's "faults survived, events lost" table: one row per scenario. */
export function faultsTable(reports: readonly ScenarioReport[]): string {
  const rows = reports.map((r) => {
    // Lost: events that got a 201 and did not reach every device. A Redis crash can also take back
    // acknowledged events from the log (some devices may have had them live): counted beside, with
    // the span of acknowledged time they cover, the measured loss window.
    const window = r.lostByRedis > 0 ? ` (Redis lost ${r.lostByRedis}: ${r.lossWindowMs} ms window)` : '';
    // Worker scenarios also count receipts: a pair that never ended or got no dead letter is lost;
    // a round run twice or a second letter is a duplicate. (A device whose answer came after it was
    // declared dead ended dead, once, and its answer was refused: counted apart, as wrongEnd.)
    const lost = r.missingEvents + (r.receipts ? r.receipts.unsettled + r.receipts.lettersMissing : 0);
    const duplicated = r.duplicated + (r.receipts ? r.receipts.wrongRetries + r.receipts.lettersDuplicated : 0);
    return `| ${r.scenario} | ${r.clients} | ${r.published} | ${lost}${window} | ${duplicated} | ${r.resets} | ${r.refused + r.failedAttempts} | ${(r.maxRecoveryMs / 1000).toFixed(1)} s |`;
  });
  return [
    '| scenario | clients | events | lost | duplicated | resets | publish retries | max recovery time |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** `readme` with the text between the markers replaced by `table`. */
export function withFaultsTable(readme: string, table: string): string {
  const [start, end] = markers(readme);
  return `${readme.slice(0, start + TABLE_START.length)}\n${table}\n${readme.slice(end)}`;
}

/**
 * The README's table with the rows of `table` (a run of some scenarios, measured again) in place
 * of theirs and the others kept, in `order` (scenarios it does not name last).
 */
export function withFaultsRows(readme: string, table: string, order: readonly string[]): string {
  const [start, end] = markers(readme);
  const rowsOf = (text: string) => text.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| scenario '));
  const byScenario = new Map<string, string>();
  for (const row of [...rowsOf(readme.slice(start, end)), ...rowsOf(table)]) byScenario.set(row.split(' | ')[0]!.slice(2), row);
  const rank = (scenario: string) => (order.includes(scenario) ? order.indexOf(scenario) : order.length);
  const rows = [...byScenario.entries()].sort(([a], [b]) => rank(a) - rank(b)).map(([, row]) => row);
  return withFaultsTable(readme, [...table.split('\n').slice(0, 2), ...rows].join('\n'));
}

function markers(readme: string): [number, number] {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`the README has no ${TABLE_START} … ${TABLE_END} block`);
  return [start, end];
}
