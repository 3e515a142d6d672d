// Starts the suite's watchdog (watchdog-process.ts) for one invocation: the run's mark goes into
// this process's environment, so everything started from now on carries it, and the watchdog
// SIGKILLs every process with the mark if this process dies without saying it is done.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/** The environment variable that marks every process of one bench invocation (not a TIDINGS_ one: edges refuse those they do not know). */
export const RUN_MARK = 'BENCH_RUN';

// This file is bench/{src,dist}/suite/run-watchdog.*; the watchdog is built next to it.
const WATCHDOG_MAIN = fileURLToPath(new URL('../../dist/suite/watchdog-process.js', import.meta.url));

/** The run's mark for a child started with an environment of its own (soketi's). */
export function runMarkEnv(): Record<string, string> {
  const mark = process.env[RUN_MARK];
  return mark === undefined ? {} : { [RUN_MARK]: mark };
}

export interface Watchdog {
  /** Everything was stopped: let the watchdog go without sweeping, and drop the mark. */
  done(): void;
}

export function startWatchdog(): Watchdog {
  const mark = randomUUID();
  process.env[RUN_MARK] = mark;
  const child = spawn(process.execPath, [WATCHDOG_MAIN, `${RUN_MARK}=${mark}`], { stdio: ['pipe', 'ignore', 'inherit'] });
  child.on('error', (error) => console.error(`bench: the watchdog did not start (${error.message}); a killed run may leave processes behind`));
  // The watchdog does not keep this process alive; its pipe does until "done" is written.
  child.unref();
  return {
    done: () => {
      if (process.env[RUN_MARK] === mark) delete process.env[RUN_MARK];
      child.stdin?.end('done\n');
    },
  };
}
