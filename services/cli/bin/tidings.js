#!/usr/bin/env node
// The `tidings` command; the code is compiled to ../dist (npm run build).
import('../dist/main.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('tidings: not built yet: run `npm run build` in the repository first\n');
    process.exit(1);
  }
  throw error;
});
