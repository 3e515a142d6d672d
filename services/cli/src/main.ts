// The `tidings` command. Server commands (edge, worker, dev) take the flags of their config
// schema (libs/config), which also writes their --help; `bench` hands its arguments to the bench
// suite, which has its own; the client commands are declared here.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { asksForHelp, type ConfigOption, describeDevConfig, describeEdgeConfig, describeWorkerConfig, renderOptionsHelp } from '@tidings/config';
import { runBench } from './bench-command.js';
import { runDev } from './dev-cluster.js';
import { runConsume, runPresence, runPublish, runReceipts, runSubscribe } from './client-commands.js';

const DEFAULT_URL = 'http://127.0.0.1:8080';
const VERSION = '0.1.0';

type Env = Readonly<Record<string, string | undefined>>;

interface ServerCommand {
  readonly summary: string;
  readonly options: () => ConfigOption[];
  readonly run: (argv: readonly string[], env: Env) => Promise<number>;
}

const SERVER_COMMANDS: Record<string, ServerCommand> = {
  edge: {
    summary: 'Run an edge node: HTTP publish, SSE, WebSocket and long-poll (--processes N|auto runs N on one port).',
    options: describeEdgeConfig,
    run: async (argv, env) => (await import('@tidings/edge')).runEdge(argv, env),
  },
  worker: {
    summary: 'Run a worker: receipt retries, dead letters and pruning.',
    options: describeWorkerConfig,
    run: async (argv, env) => (await import('@tidings/worker')).runWorker(argv, env),
  },
  dev: {
    summary: 'Everything on this machine: a private Redis, edges and the demo page (npm start).',
    options: describeDevConfig,
    run: runDev,
  },
};

const BENCH_SUMMARY = 'The bench suite of this checkout, as npm run bench. See: tidings bench --help';

/** The client commands; server commands and bench are listed for --help and run before commander parses. */
function program(settle: (code: number) => void): Command {
  const url = () => new Option('--url <url>', 'an edge of the cluster').env('TIDINGS_URL').default(DEFAULT_URL);
  const token = () => new Option('--token <jwt>', 'a token with the rights the command needs').env('TIDINGS_TOKEN');
  const root = new Command('tidings')
    .usage('<command> [options]')
    .description('Tidings: publish over HTTP, receive over SSE, WebSocket or long-poll.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });
  for (const [name, command] of Object.entries(SERVER_COMMANDS)) root.command(name).description(`${command.summary} See: tidings ${name} --help`);
  root.command('bench').description(BENCH_SUMMARY);
  const json = () => new Option('--json', 'JSON lines (the default when stdout is not a terminal)');
  root
    .command('publish')
    .description('publish one event')
    .argument('<channel>')
    .argument('[message]', 'sent as JSON when it parses as JSON, else as text')
    .option('--file <path>', 'read the message from a file (- for stdin) instead')
    .option('--event <name>', 'the event name')
    .option('--ack', 'ask every device on the channel for a receipt (see: tidings receipts)')
    .option('--idempotency-key <key>', 'a retry with the same key publishes once')
    .addOption(url())
    .addOption(token())
    .action(async (channel: string, message: string | undefined, options: Parameters<typeof runPublish>[2]) => settle(await runPublish(channel, message, options)));
  root
    .command('subscribe')
    .description('print events until Ctrl-C')
    .argument('<channel...>', 'channels or patterns (news/+/sport, news/#)')
    .option('--since <cursor>', '0 for the oldest retained event, an event id or a cursor; default: from now')
    .addOption(json())
    .addOption(url())
    .addOption(token())
    .action(async (channels: string[], options: Parameters<typeof runSubscribe>[1]) => settle(await runSubscribe(channels, options)));
  root
    .command('receipts')
    .description("every expected device's receipt of an event published with --ack")
    .argument('<channel>')
    .argument('<id>', 'the event id the publish answered')
    .addOption(json())
    .addOption(url())
    .addOption(token())
    .action(async (channel: string, id: string, options: Parameters<typeof runReceipts>[2]) => settle(await runReceipts(channel, id, options)));
  root
    .command('presence')
    .description('the devices online on a channel now, cluster-wide')
    .argument('<channel>')
    .addOption(json())
    .addOption(url())
    .addOption(token())
    .action(async (channel: string, options: Parameters<typeof runPresence>[1]) => settle(await runPresence(channel, options)));
  root
    .command('consume')
    .description("share a channel's events with the other consumers of a group")
    .argument('<channel>')
    .requiredOption('--group <group>', 'the consumer group (created when missing)')
    .option('--consumer <name>', 'this consumer in the group; default: <hostname>-<pid>')
    .addOption(new Option('--count <n>', 'events per claim').default(10).argParser(positiveInteger))
    .option('--start <start>', 'where a new group starts: new, all or an event id', 'new')
    .addOption(url())
    .addOption(token())
    .action(async (channel: string, options: Parameters<typeof runConsume>[1]) => settle(await runConsume(channel, options)));
  return root;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1.');
  return n;
}

async function main(argv: readonly string[], env: Env): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'bench') return runBench(rest);
  const server = name === undefined ? undefined : SERVER_COMMANDS[name];
  if (server) {
    if (!asksForHelp(rest)) return server.run(rest, env);
    process.stdout.write(renderOptionsHelp(`tidings ${name} [options]`, server.summary, server.options()));
    return 0;
  }
  let code = 0;
  const root = program((exitCode) => (code = exitCode));
  if (argv.length === 0) {
    root.outputHelp();
    return 0;
  }
  try {
    await root.parseAsync(argv, { from: 'user' }); // waits for the command's action
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return error.exitCode === 0 ? 0 : 2; // help and version, or a usage error already printed in one line
  }
  return code;
}

process.exit(await main(process.argv.slice(2), process.env));
