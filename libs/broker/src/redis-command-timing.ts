import { createHash } from 'node:crypto';
import type { Cluster, Command, Redis } from 'ioredis';

export interface RedisCommandObserver {
  /** A sampled command's round trip, queueing on the connection and Cluster redirections included. */
  took(command: string, seconds: number): void;
  /** A command Redis (or the connection) answered with an error. */
  failed(command: string): void;
}

/**
 * Commands (ioredis names them in lower case) that wait on purpose: their time says nothing about Redis' health. None of them run on
 * the connections this is attached to today; the list keeps a future use from poisoning the metric.
 */
const WAITING_COMMANDS = new Set(['wait', 'blpop', 'brpop', 'brpoplpush', 'blmove', 'bzpopmin', 'bzpopmax', 'blmpop', 'bzmpop', 'xread', 'xreadgroup']);
/** Label values are command names, a closed set; the cap holds it bounded whatever calls `call()`. */
const MAX_COMMAND_LABELS = 64;
const OVERFLOW_LABEL = 'other';
/** Marks a command already watched: a property is cheaper than a WeakSet, which burdens every GC. */
const OBSERVED = Symbol('tidings.observed');
type Marked = Command & { [OBSERVED]?: true };

/** Failures ioredis handles itself, which no caller sees. */
function answeredByClient(command: Command, error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // NOSCRIPT: it sends the script in full. CLIENT SETINFO on connect: Redis before 7.2 lacks it.
  return error.message.startsWith('NOSCRIPT') || (command.name.toLowerCase() === 'client' && String(command.args[0]).toLowerCase() === 'setinfo');
}

/**
 * Watches every command sent on `client`: each error is counted and one command in `sampleEvery`
 * is timed, so the cost on a busy connection is one promise handler per command. Scripts are named
 * by the name they were defined with (`tidingsAppend`), not by EVALSHA and a hash.
 */
export function timeRedisCommands(client: Redis | Cluster, observer: RedisCommandObserver, sampleEvery: number): void {
  const labels = new Set<string>();
  const scriptNames = new Map<string, string>();
  let sent = 0;

  const scriptName = (sha: string): string => {
    if (scriptNames.size === 0) {
      for (const [name, script] of Object.entries(client.scriptsSet as Record<string, { sha: string }>)) scriptNames.set(script.sha, name);
    }
    return scriptNames.get(sha) ?? 'script';
  };
  const labelOf = (command: Command): string => {
    let label = command.name.toLowerCase();
    // A NOSCRIPT answer makes ioredis send the script's source with EVAL: rare, so hashing it is fine.
    if (label === 'evalsha') label = scriptName(String(command.args[0]));
    else if (label === 'eval') label = scriptName(createHash('sha1').update(String(command.args[0])).digest('hex'));
    if (labels.has(label)) return label;
    if (labels.size >= MAX_COMMAND_LABELS) return OVERFLOW_LABEL;
    labels.add(label);
    return label;
  };

  const send = client.sendCommand.bind(client) as (command: Command, ...rest: unknown[]) => unknown;
  client.sendCommand = (command: Marked, ...rest: unknown[]) => {
    // Commands queued while connecting, or redirected by a Cluster, come through here again.
    if (command[OBSERVED] !== true && !WAITING_COMMANDS.has(command.name)) {
      command[OBSERVED] = true;
      const started = ++sent % sampleEvery === 0 ? performance.now() : -1;
      command.promise.then(
        () => {
          if (started >= 0) observer.took(labelOf(command), (performance.now() - started) / 1000);
        },
        (error: unknown) => {
          if (!answeredByClient(command, error)) observer.failed(labelOf(command));
        },
      );
    }
    return send(command, ...rest);
  };
}
