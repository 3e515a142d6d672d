// PERE's idea — push events to devices and get a return receipt for each — on Tidings. Devices
// subscribe to `fleet/commands` under their own ids; the operator publishes commands with
// `ack: true`; each device answers `received`, "processes" the command and answers `processed`
// (or `failed`, with a reason, now and then); the operator's view shows every device's receipt.
//   node examples/receipts-fleet/fleet.mjs [--devices 5] [--commands 3] [--url http://localhost:8080]
// Exits once every device has answered every command, after printing the receipts table.
import { parseArgs } from 'node:util';
import { createClient } from '@tidings/client';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.TIDINGS_URL ?? 'http://localhost:8080' },
    devices: { type: 'string', default: '5' },
    commands: { type: 'string', default: '3' },
  },
});
const CHANNEL = 'fleet/commands';
const token = process.env.TIDINGS_TOKEN ? { token: process.env.TIDINGS_TOKEN } : {};
const commands = Number(values.commands);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One device: its own client and id, answering each ack event twice — on arrival, then when done. */
function startDevice(id) {
  const client = createClient({ url: values.url, device: id, transport: 'sse', ...token });
  let answered = 0;
  const opened = new Promise((resolve) => {
    client.subscribe(
      CHANNEL,
      async (event) => {
        if (!event.ack) return;
        await client.ack(CHANNEL, event.id, { status: 'received' });
        await sleep(50 + Math.random() * 250); // the work the command asks for
        const failed = Math.random() < 0.1;
        await client.ack(CHANNEL, event.id, failed ? { status: 'failed', detail: 'valve stuck' } : { status: 'processed' });
        if (++answered === commands) client.close();
      },
      { onState: (state) => state === 'open' && resolve(), onError: (error) => console.error(`${id}: ${error.message}`) },
    );
  });
  return { opened, done: () => answered === commands };
}

const devices = Array.from({ length: Number(values.devices) }, (_, i) => startDevice(`valve-${String(i + 1).padStart(2, '0')}`));
await Promise.all(devices.map((d) => d.opened)); // members of the channel now: each command expects them all

const operator = createClient({ url: values.url, ...token });
const published = [];
for (let n = 1; n <= commands; n++) published.push(await operator.publish(CHANNEL, { command: 'flush', n }, { event: 'command', ack: true }));
while (!devices.every((d) => d.done())) await sleep(100);

// The operator's view: GET …/events/{id}/receipts, as the admin page or a dashboard would.
for (const { id } of published) {
  const res = await fetch(`${values.url}/v1/channels/${encodeURIComponent(CHANNEL)}/events/${id}/receipts`, {
    headers: token.token ? { authorization: `Bearer ${token.token}` } : {},
  });
  const { devices: receipts, states } = await res.json();
  console.log(`command ${id}: ${Object.entries(states).map(([state, count]) => `${count} ${state}`).join(', ')}`);
  for (const r of receipts) console.log(`  ${r.device} ${r.state}${r.detail ? ` (${r.detail})` : ''}`);
}
operator.close();
