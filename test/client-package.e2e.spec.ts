// @tidings/client as an application gets it from npm: packed, installed into an empty project
// with nothing but its own tarballs, type-checked, and run against a real edge.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type EdgeProcess, makeTempDir, removeTempDir } from '@tidings/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { edgesOnRedis } from './support.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
const cluster = edgesOnRedis(1);
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => removeTempDir(dir)));

interface PackedFile {
  readonly path: string;
}

const run = (command: string, args: string[], cwd: string) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** `npm pack` of the client and the protocol it depends on: the tarballs and what each holds. */
function pack(into: string): { name: string; filename: string; files: string[] }[] {
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', into, '-w', '@tidings/protocol', '-w', '@tidings/client'], ROOT)) as {
    name: string;
    filename: string;
    files: PackedFile[];
  }[];
  return packed.map(({ name, filename, files }) => ({ name, filename, files: files.map((f) => f.path) }));
}

describe('the @tidings/client package', () => {
  it('packs the built code, types, browser bundle, README and changelog — no sources or tests', () => {
    const dir = makeTempDir('tidings-pack-');
    dirs.push(dir);
    const [protocol, client] = pack(dir);
    expect(client!.name).toBe('@tidings/client');
    expect(client!.files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/browser/tidings-client.js', 'README.md', 'CHANGELOG.md', 'package.json']));
    expect(protocol!.files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'CHANGELOG.md', 'package.json']));
    for (const file of [...client!.files, ...protocol!.files]) expect(file).not.toMatch(/^src\/|\.spec\.|spec-support|tsconfig/);
  });

  it('installs from its tarballs alone, type-checks in a strict project, and receives what is published', async () => {
    const [edge] = cluster.edges as [EdgeProcess];
    const app = makeTempDir('tidings-app-');
    dirs.push(app);
    const [protocol, client] = pack(app);
    writeFileSync(
      `${app}/package.json`,
      JSON.stringify({ name: 'an-app', private: true, type: 'module', dependencies: { '@tidings/protocol': `file:./${protocol!.filename}`, '@tidings/client': `file:./${client!.filename}` } }),
    );
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], app);

    writeFileSync(
      `${app}/app.ts`,
      [
        "import { createClient, type TidingsEvent } from '@tidings/client';",
        'const client = createClient({ url: process.argv[2]!, transport: "sse" });',
        'const seen: TidingsEvent[] = [];',
        'client.subscribe(["pkg/demo"], (event) => { seen.push(event); console.log(JSON.stringify(event)); client.close(); }, {',
        '  onState: (state) => { if (state === "open") void client.publish("pkg/demo", { from: "the packed client" }); },',
        '});',
        'declare const process: { argv: string[] };',
        '',
      ].join('\n'),
    );
    // Strict, and checking the package's own declarations too: type errors fail the compile.
    run(process.execPath, [TSC, '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2022,dom', 'app.ts'], app);

    const printed = run(process.execPath, ['app.js', edge.url], app);
    expect(JSON.parse(printed)).toMatchObject({ channel: 'pkg/demo', data: { from: 'the packed client' } });
  }, 120_000);
});
