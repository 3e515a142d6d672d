// docs/guarantees.md names the test that holds each promise; this keeps every name true.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const doc = read('docs/guarantees.md');

/** Every "`path` › test name" reference in the doc's table. */
const references = [...doc.matchAll(/`([\w./-]+\.spec\.ts)` › ([^;|]+)/g)].map(([, file, name]) => ({ file: file!, name: name!.trim() }));

describe('docs/guarantees.md', () => {
  it('names tests', () => {
    expect(references.length).toBeGreaterThan(15);
  });

  it.each(references)('names a test that exists: $file › $name', ({ file, name }) => {
    const titles = [...read(file).matchAll(/\bit(?:\.\w+)?\((['"`])(.+?)\1,/g)].map(([, , title]) => title!.replaceAll("\\'", "'"));
    expect(titles).toContain(name);
  });
});
