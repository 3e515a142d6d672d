// The browser bundle: the client as one minified ES module with @tidings/protocol inlined, for a
// page that loads it with <script type="module"> or an import map and has no bundler of its own.
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('./dist/index.js', import.meta.url).pathname],
  outfile: new URL('./dist/browser/tidings-client.js', import.meta.url).pathname,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
});
