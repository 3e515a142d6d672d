// The bench suite's command: `npm run bench -- <scenario> [options]` (or `tidings bench …`).
// Runs one scenario, printing progress as it goes, and writes bench/results/<scenario>-<date>.json.
// Ctrl-C (or SIGTERM) stops the current run: every socket, generator, server and Redis it started
// is closed, and what was measured so far stays in the results file. A SIGKILL cannot be handled:
// then the run's watchdog kills every process the run started (run-watchdog.ts).
import { pathToFileURL } from 'node:url';
import { SCENARIOS } from '../scenarios/index.js';
import { ResultsFile, resultsPath } from './results-file.js';
import { startWatchdog } from './run-watchdog.js';
import { COMMON_OPTIONS, UsageError, optionsHelp, parseOptions } from './suite-options.js';

const USAGE = `Usage: npm run bench -- <scenario> [options]     (or: tidings bench <scenario> [options])
       npm run bench -- <scenario> --help          that scenario's options

Scenarios:
${SCENARIOS.map((s) => `  ${s.name.padEnd(14)} ${s.summary}\n  ${''.padEnd(14)} e.g. ${s.example}`).join('\n')}

Results go to bench/results/<scenario>-<date>.json; npm run bench:report renders bench/RESULTS.md.`;

export async function runBench(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (scenario === undefined) {
    console.error(`bench: unknown scenario '${name}' (one of: ${SCENARIOS.map((s) => s.name).join(', ')})`);
    return 2;
  }
  const specs = { ...scenario.options, ...COMMON_OPTIONS };
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`${scenario.name}: ${scenario.summary}\n  e.g. ${scenario.example}\n\n${optionsHelp(specs)}`);
    return 0;
  }
  let options;
  try {
    options = parseOptions(rest, specs);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bench ${scenario.name}: ${error.message}`);
    return 2;
  }
  const started = new Date();
  const file = new ResultsFile(resultsPath(scenario.name, started, options.text('label'), options.text('out')), scenario.name, started, argv, options.all);
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) return;
    console.error('interrupted: closing every connection and stopping every process this run started…');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Signals are handled above; a SIGKILL is not, and the watchdog cleans up after it.
  const watchdog = startWatchdog();
  let failures = 0;
  try {
    await scenario.run(options, {
      log: (line) => console.log(line),
      signal: abort.signal,
      record: (run) => {
        if (run.error !== undefined) failures++;
        file.add(run);
      },
    });
  } catch (error) {
    failures++;
    console.error(`bench ${scenario.name}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    watchdog.done();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  console.log(file.count > 0 ? `results: ${file.path}` : 'no results recorded');
  return abort.signal.aborted ? 130 : failures > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await runBench(process.argv.slice(2));
