// Keeps the receipt-transition table in docs/architecture.md and receiptTransition in step.
// eslint-disable-next-line no-restricted-imports -- spec only: reads the doc from disk
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ReceiptState } from './ports.js';
import { receiptTransition } from './receipt-transition.js';

const doc = readFileSync(new URL('../../../docs/architecture.md', import.meta.url), 'utf8');
const REPORTS = ['received', 'processed', 'failed'] as const;
const STATES: readonly ReceiptState[] = ['pending', 'delivered', 'received', 'processed', 'failed', 'dead'];
const CELL: Record<string, string> = { recorded: 'recorded', unchanged: 'unchanged', '409': 'conflict' };

const rows = new Map(
  [...doc.matchAll(/^\| `([a-z]+)` \| (\S+) \| (\S+) \| (\S+) \|$/gm)].map(([, state, ...cells]) => [state, cells.map((c) => CELL[c ?? ''])]),
);

describe('the receipt-transition table in docs/architecture.md', () => {
  it.each(STATES)('says what every report does to %s, as the code does', (state) => {
    expect(rows.get(state), `no row for ${state}`).toEqual(REPORTS.map((reported) => receiptTransition(state, reported)));
  });
});
