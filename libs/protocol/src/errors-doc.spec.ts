// Keeps docs/errors.md and the ERRORS table in sync, in both directions.
// eslint-disable-next-line no-restricted-imports -- spec only: reads the doc from disk
import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { ERRORS } from './errors.js';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const rows = [...doc.matchAll(/^\| `(TIDINGS_[A-Z_]+)` \| (\d{3}) \| (.+) \|$/gm)].map(([, code, status, meaning]) => ({
  code: code ?? '',
  status: Number(status),
  meaning: meaning ?? '',
}));

describe('docs/errors.md', () => {
  it('documents every code in ERRORS with its HTTP status', () => {
    for (const [code, { status }] of Object.entries(ERRORS)) {
      expect(rows.find((r) => r.code === code), `${code} is missing from docs/errors.md`).toMatchObject({ status });
    }
  });

  it('documents no code that ERRORS lacks, and each code once', () => {
    for (const row of rows) expect(Object.keys(ERRORS), `${row.code} is not in ERRORS`).toContain(row.code);
    expect(new Set(rows.map((r) => r.code)).size).toBe(rows.length);
  });

  it('says what every code means', () => {
    for (const row of rows) expect(row.meaning.trim().length, row.code).toBeGreaterThan(10);
  });
});
