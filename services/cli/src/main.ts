import { runBench } from './bench-command.js';
import { runDev } from './dev-cluster.js';
import { runConsume, runPublish, runSubscribe } from './client-commands.js';

const USAGE = `usage: tidings <command> [options]

commands:
  edge [--port 8080] [--redis URL] [--allow-anonymous] ...   run an edge node (see docs/config.md);
                                                             --processes N|auto runs N on one port
  worker --redis URL [--webhook-url URL] ...                 run a worker: receipt retries, dead letters, pruning
  dev [--port 8080] [--edges 2] [--redis URL]                everything on this machine: Redis, edges, demo page
  publish CHANNEL MESSAGE [--url URL] [--event NAME]         publish one event
  subscribe CHANNEL... [--url URL] [--since CURSOR]          print events as JSON lines until Ctrl-C
  consume CHANNEL --group GROUP [--consumer NAME] [--url URL] share a channel's events with other consumers of a group
  bench <scenario> [options]                                 the bench suite (as npm run bench); bench --help lists scenarios
`;

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, () => Promise<number>> = {
  edge: async () => (await import('@tidings/edge')).runEdge(rest, process.env),
  worker: async () => (await import('@tidings/worker')).runWorker(rest, process.env),
  dev: () => runDev(rest, process.env),
  publish: () => runPublish(rest),
  subscribe: () => runSubscribe(rest),
  consume: () => runConsume(rest),
  bench: () => runBench(rest),
};

const run = command === undefined ? undefined : commands[command];
if (!run) {
  process.stderr.write(command === undefined || command === 'help' || command === '--help' ? USAGE : `tidings: unknown command '${command}'\n\n${USAGE}`);
  process.exit(command === undefined || command === 'help' || command === '--help' ? 0 : 2);
}
process.exit(await run());
