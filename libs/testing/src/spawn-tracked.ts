import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const alive = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let reaperInstalled = false;

/** SIGKILLs every child still alive (by its PID) and removes the temp dirs, synchronously. */
function reap(): void {
  for (const child of alive) if (isRunning(child)) child.kill('SIGKILL');
  alive.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/**
 * Whatever a test started must not outlive the test process, even when a test fails before its
 * cleanup or the run is cut short. 'exit' covers a normal end; test runners end their workers
 * with SIGTERM, whose default action skips 'exit', so the signals are caught too — and then
 * re-raised, unless someone else listens for them, so the process still ends as it would have.
 */
function installReaper(): void {
  if (reaperInstalled) return;
  reaperInstalled = true;
  process.on('exit', reap);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    const onSignal = () => {
      reap();
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

/**
 * Spawns a process that is SIGKILLed when this process exits, at the latest. stdout and stderr
 * are pipes unless `options.stdio` says otherwise; a spawn failure (ENOENT) surfaces through
 * `exitOf` instead of crashing the test process.
 */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  installReaper();
  const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  alive.add(child);
  child.once('exit', () => alive.delete(child));
  child.once('error', () => alive.delete(child));
  return child;
}

export function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

/** The exit code once the process has ended (null when a signal ended it, or it never started). */
export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(child.exitCode));
  });
}

/** SIGTERM and wait for the exit; SIGKILL after `graceMs` (a guard against hangs, not a timing assertion). */
export async function stopProcess(child: ChildProcess, graceMs = 15_000): Promise<number | null> {
  if (!isRunning(child)) return child.exitCode;
  const exited = exitOf(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A fresh directory under the OS temp dir, removed by `removeTempDir` or when this process exits. */
export function makeTempDir(prefix: string): string {
  installReaper();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}
