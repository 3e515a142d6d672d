// docs/api.md lists every WebSocket frame, both ways; this keeps the list complete.
// eslint-disable-next-line no-restricted-imports -- spec only: reads the doc and the sources from disk
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
const doc = read('../../../docs/api.md');
const frameTypes = (source: string) => [...new Set([...read(source).matchAll(/type: '(\w+)'/g)].map(([, type]) => type!))];

describe('docs/api.md', () => {
  it.each([
    ['client', './client-frame.ts'],
    ['server', './server-frame.ts'],
  ])('names every %s frame type', (_side, source) => {
    const types = frameTypes(source);
    expect(types.length).toBeGreaterThan(5);
    for (const type of types) expect(doc, type).toContain(`\`${type}`);
  });
});
