import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describeDevConfig } from './dev-config.js';
import { EDGE_FOREIGN_ENV, describeEdgeConfig } from './edge-config.js';
import type { ConfigOption } from './list-options.js';
import { WORKER_FOREIGN_ENV, describeWorkerConfig } from './worker-config.js';

const SECTION_TITLES: Record<string, string> = {
  retention: 'Retention (`retention.*`)',
  limits: 'Limits (`limits.*`)',
  sse: 'Server-Sent Events (`sse.*`)',
  cors: 'CORS (`cors.*`)',
  shutdown: 'Shutdown (`shutdown.*`)',
  receipts: 'Delivery receipts (`receipts.*`)',
  webhook: 'Dead-letter webhook (`webhook.*`)',
  jobs: 'Jobs (`jobs.*`)',
  prune: 'Pruning (`prune.*`)',
  mqtt: 'MQTT over TCP (`mqtt.*`)',
  metrics: 'Metrics and health (`metrics.*`)',
};

/** docs/config.md, generated from the schemas so the two cannot drift. */
export function renderConfigDoc(): string {
  const out: string[] = [
    '# Configuration',
    '',
    '<!-- Generated from libs/config (describeEdgeConfig, describeWorkerConfig, describeDevConfig). Do not edit by hand:',
    '     npx tsc -p libs/config/tsconfig.lib.json && node libs/config/dist/generate-config-doc.js > docs/config.md -->',
    '',
    'Every option is a command-line flag with an environment-variable equivalent. The configuration is',
    'read once at start-up, checked as a whole and frozen; when anything is wrong the process exits with',
    'status 2 and one line per problem, naming the flag and the variable to fix.',
    '',
    '- Flags take `--name=value` or `--name value`; a boolean flag alone (`--allow-anonymous`) means true,',
    '  and `--allow-anonymous=false` turns it off again. A flag given twice keeps its last value.',
    '- Flags override environment variables, which override the defaults. An empty variable counts as unset.',
    '- Boolean variables accept `1`, `0`, `true` or `false`; anything else is an error.',
    '- Lists (`--cors-origins`) are comma-separated.',
    '- Unknown flags and unknown `TIDINGS_*` variables are errors, so a typo never falls back to a default',
    `  silently. \`tidings edge\` leaves ${envNames(EDGE_FOREIGN_ENV)} to the commands they belong to.`,
    '',
    '## Redis URLs',
    '',
    '| form | meaning |',
    '|---|---|',
    '| `redis://[:password@]host[:port][/db]` | one Redis server (`rediss://` for TLS) |',
    '| `redis-cluster://[:password@]host1:port1,host2:port2` | Redis Cluster, listing some or all nodes as seeds (`rediss-cluster://` for TLS) |',
    '',
    'The port defaults to 6379. Passwords are masked in error messages.',
    '',
    '## `tidings edge`',
    ...sectionTables(describeEdgeConfig(), 'Node'),
    '',
    '## `tidings worker`',
    '',
    'Redelivers events to devices that owe a receipt, dead-letters those that never answer (to the',
    'webhook, when one is set) and prunes what has expired. Its own variables start with `TIDINGS_WORKER_`;',
    'it reads `retention.*` and `presence.ttlSeconds` under the edge\'s names, so that one value serves',
    `both. It leaves ${envNames(WORKER_FOREIGN_ENV)} to the commands they belong to.`,
    ...sectionTables(describeWorkerConfig(), 'Worker'),
    '',
    '## `tidings dev`',
    '',
    'Runs Redis (unless one is given), several edges and their workers on this machine. Variables under',
    '`TIDINGS_` other than `TIDINGS_DEV_*` pass through to the edges and workers it starts.',
    '',
    ...tableHead(),
  ];
  for (const option of describeDevConfig()) out.push(row(option));
  return `${out.join('\n')}\n`;
}

/** One table per section, top-level options first under `topTitle`. */
function sectionTables(options: readonly ConfigOption[], topTitle: string): string[] {
  const out: string[] = [];
  let section: string | undefined;
  for (const option of options) {
    const dot = option.path.indexOf('.');
    const current = dot === -1 ? '' : option.path.slice(0, dot);
    if (current !== section) {
      section = current;
      const title = current === '' ? topTitle : (SECTION_TITLES[current] ?? `\`${current}.*\``);
      out.push('', `### ${title}`, '', ...tableHead());
    }
    out.push(row(option));
  }
  return out;
}

function envNames(names: readonly string[]): string {
  return names.map((name) => `\`${name}${name.endsWith('_') ? '*' : ''}\``).join(', ');
}

function tableHead(): string[] {
  return ['| flag | environment | default | values | description |', '|---|---|---|---|---|'];
}

function row(o: ConfigOption): string {
  const cells = [`\`${o.flag}\``, `\`${o.env}\``, `\`${o.default}\``, o.values, o.description];
  return `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
}

// Run as a script: `node libs/config/dist/generate-config-doc.js > docs/config.md`.
const invokedAs = process.argv[1];
if (invokedAs !== undefined && /generate-config-doc\.[jt]s$/.test(invokedAs) && import.meta.url === pathToFileURL(realpathSync(invokedAs)).href) {
  process.stdout.write(renderConfigDoc());
}
