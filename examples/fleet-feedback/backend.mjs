// One replica of the backend that processes the fleet's feedback. Run two (or ten): the consumer
// group "processor" gives each report to one of them; kill one and its unfinished reports go to
// another after the 10-second visibility timeout.
//   node examples/fleet-feedback/backend.mjs replica-a [--url http://localhost:8080]
// Prints one line per report it processed: "<replica> <id> <device> <event>".
import { parseArgs } from 'node:util';
import { createClient } from '@tidings/client';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { url: { type: 'string', default: process.env.TIDINGS_URL ?? 'http://localhost:8080' } },
});
const replica = positionals[0] ?? `replica-${process.pid}`;
const client = createClient({ url: values.url, ...(process.env.TIDINGS_TOKEN ? { token: process.env.TIDINGS_TOKEN } : {}) });
const group = client.group('fleet/feedback', 'processor');

// Idempotent: the first replica creates the group at the start of the log, later ones find it.
await group.put({ start: 'all', visibilitySeconds: 10, maxDeliveries: 5 });

/** The work: here a line on stdout; in real life a database write, keyed by event id so a redelivery is harmless. */
async function handle(event) {
  const line = `${replica} ${event.id} ${event.data.device} ${event.event}${event.deliveries > 1 ? ` (delivery ${event.deliveries})` : ''}\n`;
  await new Promise((resolve) => process.stdout.write(line, resolve));
}

const consumer = group.consume(handle, {
  consumer: replica,
  count: 20,
  onReset: (notice) => console.error(`${replica}: reports lost to retention: ${JSON.stringify(notice)}`),
  onDead: (event) => console.error(`${replica}: gave up on ${event.id} after ${event.deliveries} deliveries`),
  onError: (error) => console.error(`${replica}: ${error.message} (retrying)`),
});
console.error(`${replica}: processing fleet/feedback in group "processor"`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await consumer.stop(); // finishes and acknowledges the report in hand
    client.close();
  });
}
