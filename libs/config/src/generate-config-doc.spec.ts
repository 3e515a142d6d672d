import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigDoc } from './generate-config-doc.js';
import { describeWorkerConfig } from './worker-config.js';

const DOC = new URL('../../../docs/config.md', import.meta.url);

describe('docs/config.md', () => {
  it('is exactly what renderConfigDoc() generates', () => {
    const current = readFileSync(DOC, 'utf8');
    expect(
      current === renderConfigDoc(),
      'docs/config.md is out of date. Regenerate it from the repository root:\n' +
        '  npx tsc -p libs/config/tsconfig.lib.json && node libs/config/dist/generate-config-doc.js > docs/config.md',
    ).toBe(true);
  });

  it('documents every edge flag and variable', () => {
    const doc = renderConfigDoc();
    for (const name of ['`--port`', '`PORT`', '`--redis`', '`REDIS_URL`', '`--allow-anonymous`', '`TIDINGS_ALLOW_ANONYMOUS`', '`--edges`', '`TIDINGS_DEV_EDGES`']) {
      expect(doc).toContain(name);
    }
  });

  it('documents every worker option in a section of its own, and the workers of tidings dev', () => {
    const doc = renderConfigDoc();
    const worker = doc.slice(doc.indexOf('## `tidings worker`'), doc.indexOf('## `tidings dev`'));
    for (const option of describeWorkerConfig()) expect(worker).toContain(`| \`${option.flag}\` | \`${option.env}\` |`);
    expect(doc).toContain('| `--workers` | `TIDINGS_DEV_WORKERS` | `1` |');
  });
});
