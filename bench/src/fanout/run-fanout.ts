// The fan-out bench's command: runs each scenario of the command line in turn (see fanout-options)
// and writes every result to one JSON file under bench/results as soon as it is known, so an
// interrupted invocation keeps what it measured. One summary line per scenario on the console.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FanoutInvocation, USAGE, UsageError, parseFanoutArgs } from './fanout-options.js';
import { machineInfo } from './machine-info.js';
import { type FanoutResult, runFanoutScenario } from './run-fanout-scenario.js';
import { summaryLine } from './summary-line.js';

// This file is bench/dist/fanout/run-fanout.js.
const RESULTS_DIR = fileURLToPath(new URL('../../results/', import.meta.url));

function resultsPath(invocation: FanoutInvocation, started: Date): string {
  if (invocation.out !== undefined) return resolve(invocation.out);
  const stamp = started.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return resolve(RESULTS_DIR, `fanout-${stamp}${invocation.label ? `-${invocation.label}` : ''}.json`);
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let invocation: FanoutInvocation;
  try {
    invocation = parseFanoutArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  const started = new Date();
  const path = resultsPath(invocation, started);
  mkdirSync(dirname(path), { recursive: true });
  const abort = new AbortController();
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    console.error('interrupted: stopping the current run and everything it started…');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const results: Array<FanoutResult | { scenario: FanoutResult['scenario']; error: string }> = [];
  const save = () =>
    writeFileSync(path, `${JSON.stringify({ bench: 'fanout', when: started.toISOString(), machine: machineInfo(), argv, results }, null, 2)}\n`);
  let failures = 0;
  for (const [i, scenario] of invocation.scenarios.entries()) {
    if (interrupted) break;
    const name = `${scenario.server} ${scenario.transport} ${scenario.subscribers} ${scenario.mode}`;
    console.log(`[${i + 1}/${invocation.scenarios.length}] ${name}`);
    try {
      const result = await runFanoutScenario(scenario, { log: (line) => console.log(line), signal: abort.signal });
      results.push(result);
      console.log(summaryLine(result));
    } catch (error) {
      failures++;
      const reason = error instanceof Error ? error.message : String(error);
      // Ctrl-C reaches the servers too, so the run usually fails on a closed server first.
      const message = interrupted ? `interrupted (${reason})` : reason;
      results.push({ scenario, error: message });
      console.error(`  failed: ${message}`);
    }
    save();
  }
  console.log(`results: ${path}`);
  return interrupted ? 130 : failures > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
