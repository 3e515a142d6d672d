import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { openApiJson } from './openapi-document.js';

// docs/openapi.json is this output, so the committed copy and what edges serve cannot differ
// (openapi-document.spec.ts fails when it is stale). From the repository root:
//   npx nx run @tidings/edge:build && node services/edge/dist/openapi/generate-openapi-doc.js > docs/openapi.json
const invokedAs = process.argv[1];
if (invokedAs !== undefined && /generate-openapi-doc\.[jt]s$/.test(invokedAs) && import.meta.url === pathToFileURL(realpathSync(invokedAs)).href) {
  process.stdout.write(openApiJson);
}
