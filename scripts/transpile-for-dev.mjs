// `npm start`'s build: the `tidings` command and every workspace package it runs, transpiled file
// by file with esbuild into the same dist/ layout tsc writes — in a second or two instead of the
// minute a type-checked build of every project takes on a small machine. Nothing is type-checked
// here: `npm run build` and `npm test` do that with tsc (the sources are isolatedModules-clean,
// so file-by-file transpiling means the same thing).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = 'services/cli';

/** Workspace package name → its folder, from the root's workspace globs (`libs/*`, …). */
function workspaceFolders() {
  const folders = new Map();
  for (const glob of JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).workspaces) {
    if (!glob.endsWith('/*')) continue;
    const parent = glob.slice(0, -2);
    for (const name of readdirSync(join(ROOT, parent))) {
      const manifest = join(ROOT, parent, name, 'package.json');
      try {
        folders.set(JSON.parse(readFileSync(manifest, 'utf8')).name, join(parent, name));
      } catch {
        // not a package
      }
    }
  }
  return folders;
}

/** The entry and the workspace packages it depends on at run time, transitively. */
function runtimeClosure(entry, folders) {
  const seen = new Set([entry]);
  for (const folder of seen) {
    const { dependencies = {} } = JSON.parse(readFileSync(join(ROOT, folder, 'package.json'), 'utf8'));
    for (const name of Object.keys(dependencies)) if (folders.has(name)) seen.add(folders.get(name));
  }
  return [...seen];
}

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'spec-support' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const projects = runtimeClosure(ENTRY, workspaceFolders());
await Promise.all(
  projects.map((project) =>
    build({
      entryPoints: sources(join(ROOT, project, 'src')),
      outdir: join(ROOT, project, 'dist'),
      outbase: join(ROOT, project, 'src'),
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: true,
      logLevel: 'warning',
    }),
  ),
);
// The demo page loads the client's browser bundle, made from the client's dist.
await import('../libs/client/bundle-browser.mjs');
