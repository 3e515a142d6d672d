import { readFileSync } from 'node:fs';
import { ERRORS } from '@tidings/protocol';
import { describe, expect, it } from 'vitest';
import { openApiDocument, openApiJson } from './openapi-document.js';

const COMMITTED = new URL('../../../../docs/openapi.json', import.meta.url);

describe('the OpenAPI document', () => {
  it('is committed as docs/openapi.json, exactly as generated', () => {
    expect(
      readFileSync(COMMITTED, 'utf8') === openApiJson,
      'docs/openapi.json is out of date. Regenerate it from the repository root:\n' +
        '  npx nx run @tidings/edge:build && node services/edge/dist/openapi/generate-openapi-doc.js > docs/openapi.json',
    ).toBe(true);
  });

  it('resolves every $ref it holds', () => {
    const refs = [...openApiJson.matchAll(/"\$ref": "#\/([^"]+)"/g)].map((m) => m[1]!);
    for (const ref of new Set(refs)) {
      const target = ref.split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key.replaceAll('~1', '/').replaceAll('~0', '~')], openApiDocument);
      expect(target, `#/${ref}`).toBeTypeOf('object');
    }
  });

  it('names only error codes of the table, each under its own status', () => {
    const mentioned = (text: string) => [...text.matchAll(/`(TIDINGS_[A-Z_]+)`/g)].map((m) => m[1]!);
    for (const [path, item] of Object.entries(openApiDocument.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const responses = (operation as { responses?: Record<string, { description: string }> }).responses ?? {};
        for (const [status, response] of Object.entries(responses)) {
          for (const code of mentioned(response.description)) {
            expect(ERRORS[code as keyof typeof ERRORS]?.status, `${method} ${path} ${status} names ${code}`).toBe(Number(status));
          }
        }
      }
    }
  });
});
