// `tidings bench <scenario> [options]`: the bench suite of this checkout (bench/dist/suite/run-bench.js,
// the code `npm run bench` runs) in a child process with the same arguments. Ctrl-C reaches both
// (one process group): this process waits while the suite closes everything it started. SIGTERM
// is passed on.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// This file is services/cli/{src,dist}/bench-command.*: the repository root is three levels up.
const BENCH_MAIN = fileURLToPath(new URL('../../../bench/dist/suite/run-bench.js', import.meta.url));

export function runBench(args: readonly string[]): Promise<number> {
  if (!existsSync(BENCH_MAIN)) {
    process.stderr.write(`tidings bench: the bench suite is not built (${BENCH_MAIN} is missing): run npm run build at the repository root\n`);
    return Promise.resolve(2);
  }
  const child = spawn(process.execPath, [BENCH_MAIN, ...args], { stdio: 'inherit' });
  const waitForChild = () => undefined;
  const passOn = () => child.kill('SIGTERM');
  process.on('SIGINT', waitForChild);
  process.on('SIGTERM', passOn);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      process.off('SIGINT', waitForChild);
      process.off('SIGTERM', passOn);
      resolve(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });
}
