import { createClient, type TidingsEvent } from '@tidings/client';
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

function parseMessage(message: string): unknown {
  try {
    return JSON.parse(message) as unknown;
  } catch {
    return message; // not JSON: publish it as text
  }
}
