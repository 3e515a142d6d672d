import { createClient, type TidingsEvent } from '@tidings/client';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';

const DEFAULT_URL = 'http://127.0.0.1:8080';

/** `tidings publish CHANNEL MESSAGE`: MESSAGE is sent as JSON when it parses as JSON, else as text. */
export async function runPublish(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { url: { type: 'string', default: process.env['TIDINGS_URL'] ?? DEFAULT_URL }, event: { type: 'string' } },
  });
  const [channel, message] = positionals;
  if (channel === undefined || message === undefined || positionals.length > 2) {
    process.stderr.write('usage: tidings publish CHANNEL MESSAGE [--url URL] [--event NAME]\n');
    return 2;
  }
  const client = createClient({ url: values.url });
  try {
    const published = await client.publish(channel, parseMessage(message), values.event === undefined ? {} : { event: values.event });
    process.stdout.write(`${JSON.stringify(published)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`tidings publish: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    client.close();
  }
}

/** `tidings subscribe CHANNEL...`: one JSON line per event on stdout until interrupted. */
export async function runSubscribe(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { url: { type: 'string', default: process.env['TIDINGS_URL'] ?? DEFAULT_URL }, since: { type: 'string' } },
  });
  if (positionals.length === 0) {
    process.stderr.write('usage: tidings subscribe CHANNEL... [--url URL] [--since CURSOR]\n');
    return 2;
  }
  const client = createClient({ url: values.url, transport: 'sse' });
  const print = (event: TidingsEvent) => process.stdout.write(`${JSON.stringify(event)}\n`);
  client.subscribe(positionals, print, {
    ...(values.since === undefined ? {} : { since: values.since }),
    onReset: (notice) => process.stderr.write(`reset: ${JSON.stringify(notice)}\n`),
    onState: (state) => process.stderr.write(`[${state}]\n`),
  });
  return new Promise((resolve) => {
    const stop = () => {
      client.close();
      resolve(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/**
 * `tidings consume CHANNEL --group G`: one JSON line per event of the group on stdout, each
 * acknowledged once written; run it on several machines and they share the events. The group is
 * created (from `--start`, default "new") when it does not exist.
 */
export async function runConsume(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      url: { type: 'string', default: process.env['TIDINGS_URL'] ?? DEFAULT_URL },
      group: { type: 'string' },
      consumer: { type: 'string', default: `${hostname()}-${process.pid}` },
      count: { type: 'string', default: '10' },
      start: { type: 'string', default: 'new' },
      token: { type: 'string', default: process.env['TIDINGS_TOKEN'] },
    },
  });
  const [channel] = positionals;
  const count = Number(values.count);
  if (channel === undefined || positionals.length > 1 || values.group === undefined || !Number.isInteger(count) || count < 1) {
    process.stderr.write('usage: tidings consume CHANNEL --group GROUP [--consumer NAME] [--count N] [--start new|all|ID] [--url URL] [--token TOKEN]\n');
    return 2;
  }
  const client = createClient({ url: values.url, ...(values.token ? { token: values.token } : {}) });
  try {
    const group = client.group(channel, values.group);
    await group.put({ start: values.start });
    // Acknowledged once the line has left this process, not when it was merely buffered.
    const print = (event: unknown) => new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(event)}\n`, () => resolve()));
    const consumer = group.consume(print, {
      consumer: values.consumer,
      count,
      onReset: (notice) => process.stderr.write(`reset: ${JSON.stringify(notice)}\n`),
      onDead: (event) => process.stderr.write(`dead letter: ${JSON.stringify(event)}\n`),
      onError: (error) => process.stderr.write(`tidings consume: ${error.message}\n`),
    });
    process.stderr.write(`[consuming ${channel} as ${values.consumer} in ${values.group}]\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await consumer.stop();
    return 0;
  } catch (error) {
    process.stderr.write(`tidings consume: ${error instanceof Error ? error.message : String(error)}\n`);
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
