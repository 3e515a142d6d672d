// A fleet of devices reporting feedback (battery, firmware, a fault now and then) to one channel.
//   node examples/fleet-feedback/devices.mjs [--devices 20] [--reports 5] [--url http://localhost:8080]
// Prints the ids it published, one per line, so a test can check that every report was processed.
import { parseArgs } from 'node:util';
import { createClient } from '@tidings/client';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.TIDINGS_URL ?? 'http://localhost:8080' },
    devices: { type: 'string', default: '20' },
    reports: { type: 'string', default: '5' },
  },
});
const client = createClient({ url: values.url, ...(process.env.TIDINGS_TOKEN ? { token: process.env.TIDINGS_TOKEN } : {}) });

const devices = Array.from({ length: Number(values.devices) }, (_, i) => `pump-${String(i + 1).padStart(3, '0')}`);
for (let round = 0; round < Number(values.reports); round++) {
  // Devices report concurrently, as a real fleet does.
  const published = await Promise.all(
    devices.map((device) => {
      const fault = Math.random() < 0.05;
      const report = { device, battery: Math.round(100 - round * 3 - Math.random() * 5), firmware: '2.4.1', ...(fault ? { fault: 'pressure-low' } : {}) };
      return client.publish('fleet/feedback', report, { event: fault ? 'fault' : 'report' });
    }),
  );
  for (const { id } of published) process.stdout.write(`${id}\n`);
}
client.close();
