// The client commands: each talks to one edge with @tidings/client, prints JSON lines on stdout
// and one line per failure on stderr (naming the command and what it tried), and resolves with
// the exit code: 0 done, 1 failed.
import { createClient, type TidingsClient, type TidingsEvent } from '@tidings/client';
import { hostname } from 'node:os';

interface Connection {
  readonly url: string;
  readonly token?: string | undefined;
}

function clientFor({ url, token }: Connection, transport?: 'sse'): TidingsClient {
  return createClient({ url, ...(token ? { token } : {}), ...(transport ? { transport } : {}) });
}

const failure = (command: string, error: unknown) => `tidings ${command}: ${error instanceof Error ? error.message : String(error)}\n`;

/** `tidings publish CHANNEL MESSAGE`: MESSAGE is sent as JSON when it parses as JSON, else as text. */
export async function runPublish(channel: string, message: string, options: Connection & { event?: string | undefined }): Promise<number> {
  const client = clientFor(options);
  try {
    const published = await client.publish(channel, parseMessage(message), options.event === undefined ? {} : { event: options.event });
    process.stdout.write(`${JSON.stringify(published)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(failure('publish', error));
    return 1;
  } finally {
    client.close();
  }
}

/**
 * `tidings subscribe CHANNEL...`: one JSON line per event on stdout until interrupted (0), or
 * until the edge refuses the subscription (1, after a line saying why).
 */
export function runSubscribe(channels: string[], options: Connection & { since?: string | undefined }): Promise<number> {
  const client = clientFor(options, 'sse');
  const print = (event: TidingsEvent) => process.stdout.write(`${JSON.stringify(event)}\n`);
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
  const client = clientFor(options);
  const consumer = options.consumer ?? `${hostname()}-${process.pid}`;
  try {
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
    return 0;
  } catch (error) {
    process.stderr.write(failure('consume', error));
    return 1;
  } finally {
    client.close();
  }
}

function parseMessage(message: string): unknown {
  try {
    return JSON.parse(message) as unknown;
  } catch {
    return message; // not JSON: publish it as text
  }
}
