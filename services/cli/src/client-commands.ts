// The client commands: each talks to one edge with @tidings/client, prints JSON lines on stdout
// and one line per failure on stderr (naming the command and what it tried), and resolves with
// the exit code: 0 done, 1 failed.
import { createClient, type TidingsClient, type TidingsEvent } from '@tidings/client';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

interface Connection {
  readonly url: string;
  readonly token?: string | undefined;
}

function clientFor({ url, token }: Connection, transport?: 'sse'): TidingsClient {
  return createClient({ url, ...(token ? { token } : {}), ...(transport ? { transport } : {}) });
}

const failure = (command: string, error: unknown) => `tidings ${command}: ${error instanceof Error ? error.message : String(error)}\n`;

/** Runs a command with a client: a failure is one line on stderr and exit 1; the client is closed either way. */
async function withClient(command: string, options: Connection, run: (client: TidingsClient) => Promise<void>): Promise<number> {
  const client = clientFor(options);
  try {
    await run(client);
    return 0;
  } catch (error) {
    process.stderr.write(failure(command, error));
    return 1;
  } finally {
    client.close();
  }
}

interface Output {
  /** JSON lines (for scripts) rather than text for people; the default when stdout is not a terminal. */
  readonly json?: boolean | undefined;
}

const asJson = (options: Output) => options.json ?? !process.stdout.isTTY;

/**
 * `tidings publish CHANNEL [MESSAGE]`: MESSAGE (or the contents of `--file`, `-` for stdin) is sent
 * as JSON when it parses as JSON, else as text.
 */
export async function runPublish(
  channel: string,
  message: string | undefined,
  options: Connection & { event?: string | undefined; ack?: boolean | undefined; file?: string | undefined; idempotencyKey?: string | undefined },
): Promise<number> {
  if ((message === undefined) === (options.file === undefined)) {
    process.stderr.write('tidings publish: give the message as an argument or with --file, not both\n');
    return 2;
  }
  return withClient('publish', options, async (client) => {
    const text = options.file === undefined ? message! : readFileSync(options.file === '-' ? 0 : options.file, 'utf8');
    const published = await client.publish(channel, parseMessage(text), {
      ...(options.event === undefined ? {} : { event: options.event }),
      ...(options.ack ? { ack: true } : {}),
      ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
    });
    process.stdout.write(`${JSON.stringify(published)}\n`);
  });
}

/**
 * `tidings subscribe CHANNEL...`: one line per event on stdout until interrupted (0), or until
 * the edge refuses the subscription (1, after a line saying why).
 */
export function runSubscribe(channels: string[], options: Connection & Output & { since?: string | undefined }): Promise<number> {
  const client = clientFor(options, 'sse');
  const json = asJson(options);
  const print = (event: TidingsEvent) => process.stdout.write(json ? `${JSON.stringify(event)}\n` : `${describeEvent(event)}\n`);
  return new Promise((resolve) => {
    let stopping = false;
    const stop = () => {
      stopping = true;
      client.close();
      resolve(0);
    };
    client.subscribe(channels, print, {
      ...(options.since === undefined ? {} : { since: options.since }),
      onReset: (notice) => process.stderr.write(`reset: ${JSON.stringify(notice)}\n`),
      onError: (error) => process.stderr.write(failure('subscribe', `${options.url}: ${error.message}`)),
      onState: (state) => {
        if (state === 'connecting') process.stderr.write(`[connecting to ${options.url}]\n`);
        else if (!stopping) process.stderr.write(`[${state}]\n`);
        if (state === 'closed' && !stopping) resolve(1);
      },
    });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/**
 * `tidings consume CHANNEL --group G`: one JSON line per event of the group on stdout, each
 * acknowledged once written; run it on several machines and they share the events. The group is
 * created (from `--start`, default "new") when it does not exist.
 */
export async function runConsume(
  channel: string,
  options: Connection & { group: string; consumer?: string | undefined; count: number; start: string },
): Promise<number> {
  const consumer = options.consumer ?? `${hostname()}-${process.pid}`;
  return withClient('consume', options, async (client) => {
    const group = client.group(channel, options.group);
    await group.put({ start: options.start });
    // Acknowledged once the line has left this process, not when it was merely buffered.
    const print = (event: unknown) => new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(event)}\n`, () => resolve()));
    const consuming = group.consume(print, {
      consumer,
      count: options.count,
      onReset: (notice) => process.stderr.write(`reset: ${JSON.stringify(notice)}\n`),
      onDead: (event) => process.stderr.write(`dead letter: ${JSON.stringify(event)}\n`),
      onError: (error) => process.stderr.write(failure('consume', error)),
    });
    process.stderr.write(`[consuming ${channel} as ${consumer} in ${options.group}]\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await consuming.stop();
  });
}

/** `tidings receipts CHANNEL ID`: every expected device's receipt of an ack event, all pages. */
export async function runReceipts(channel: string, id: string, options: Connection & Output): Promise<number> {
  return withClient('receipts', options, async (client) => {
    const json = asJson(options);
    const totals = new Map<string, number>();
    let after: string | undefined;
    let expected = 0;
    do {
      const page = await client.receipts(channel, id, after === undefined ? {} : { after });
      expected = page.expected;
      for (const receipt of page.devices) {
        totals.set(receipt.state, (totals.get(receipt.state) ?? 0) + 1);
        const detail = receipt.detail ? `  ${receipt.detail}` : '';
        process.stdout.write(json ? `${JSON.stringify(receipt)}\n` : `${receipt.device.padEnd(24)} ${receipt.state.padEnd(9)} ${receipt.attempts} attempt(s)${detail}\n`);
      }
      after = page.next;
    } while (after !== undefined);
    if (!json) process.stdout.write(`${expected} expected: ${[...totals].map(([state, count]) => `${count} ${state}`).join(', ') || 'none'}\n`);
  });
}

/** `tidings presence CHANNEL`: the devices online on a channel now, cluster-wide. */
export async function runPresence(channel: string, options: Connection & Output): Promise<number> {
  return withClient('presence', options, async (client) => {
    const snapshot = await client.presence(channel);
    if (asJson(options)) process.stdout.write(`${JSON.stringify(snapshot)}\n`);
    else {
      process.stdout.write(`${snapshot.online} online on ${channel}\n`);
      for (const d of snapshot.devices) process.stdout.write(`${d.device.padEnd(24)} via ${d.node}, since ${new Date(d.since).toISOString()}\n`);
    }
  });
}

/** `12:00:01.250 orders/42 status {"state":"paid"}`: one event, for people. */
function describeEvent(event: TidingsEvent): string {
  const time = new Date().toISOString().slice(11, 23);
  const flags = `${event.ack ? ' [ack]' : ''}${event.redelivery ? ' [redelivery]' : ''}`;
  return `${time} ${event.channel} ${event.event}${flags} ${typeof event.data === 'string' ? event.data : JSON.stringify(event.data)}`;
}

function parseMessage(message: string): unknown {
  try {
    return JSON.parse(message) as unknown;
  } catch {
    return message; // not JSON: publish it as text
  }
}
