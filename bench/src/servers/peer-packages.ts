// The peers' npm packages (Socket.IO, soketi) and autocannon live in bench/peers with their own
// lockfile, outside the workspace, so `npm ci` at the root stays lean. They are installed from that
// lockfile the first time a run needs them.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// This file is bench/{src,dist}/servers/peer-packages.*.
export const PEERS_DIR = fileURLToPath(new URL('../../peers/', import.meta.url));

/** Installs bench/peers from its lockfile unless already done; throws with npm's output if it fails. */
export function ensurePeerPackages(log: (line: string) => void = () => undefined): void {
  if (existsSync(`${PEERS_DIR}node_modules/.package-lock.json`)) return;
  log('  installing the peers (bench/peers, npm ci) — once');
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: PEERS_DIR, encoding: 'utf8' });
  if (npm.status !== 0) throw new Error(`npm ci in ${PEERS_DIR} failed: ${npm.error?.message ?? `exit ${npm.status}: ${(npm.stderr || npm.stdout).trim().slice(-500)}`}`);
}

/** Resolves a module installed in bench/peers. */
export function resolvePeer(specifier: string): string {
  ensurePeerPackages();
  return createRequire(`${PEERS_DIR}package.json`).resolve(specifier);
}

/** The installed version of a bench/peers package. */
export function peerVersion(name: string): string {
  return (JSON.parse(readFileSync(`${PEERS_DIR}node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
}
