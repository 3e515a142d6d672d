// What a results file records about where it was measured, so figures from different machines or
// checkouts are never compared unknowingly.
import { spawnSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';

function firstLine(command: string, args: readonly string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return result.status === 0 ? (result.stdout.split('\n')[0] ?? '').trim() : `unavailable (${result.error?.message ?? `exit ${result.status}`})`;
}

export function machineInfo() {
  const dirty = firstLine('git', ['status', '--porcelain', '--untracked-files=no']) !== '';
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    redis: firstLine('redis-server', ['--version']),
    commit: `${firstLine('git', ['rev-parse', '--short', 'HEAD'])}${dirty ? ' (with uncommitted changes)' : ''}`,
  };
}
