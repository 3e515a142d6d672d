// A quick, bounded local fan-out check (the full bench suite is its own piece of work):
// two edge processes on one Redis, CONNECTIONS SSE subscribers on edge B, EVENTS published on
// edge A; reports deliveries per second, edge B's CPU per delivery and memory per connection.
// Loopback only; stops by itself. Usage: node bench/quick-fanout.mjs [connections] [events]
import { readFileSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { startEdge, startRedisServer } from '@tidings/testing';

const CONNECTIONS = Number(process.argv[2] ?? 5000);
const EVENTS = Number(process.argv[3] ?? 200);
const TICKS = 100; // Linux USER_HZ

function procStat(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS, rssBytes: Number(/VmRSS:\s+(\d+)/.exec(status)[1]) * 1024 };
}

const redis = await startRedisServer();
const [a, b] = await Promise.all([startEdge({ redisUrl: redis.url }), startEdge({ redisUrl: redis.url })]);
const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
let delivered = 0;
let done;
const allDelivered = new Promise((resolve) => (done = resolve));
const target = CONNECTIONS * EVENTS;

const idle = procStat(b.pid);
const sockets = [];
await new Promise((resolve, reject) => {
  let open = 0;
  for (let i = 0; i < CONNECTIONS; i++) {
    const req = request(`${b.url}/v1/sse?channel=bench`, { agent }, (res) => {
      res.setEncoding('utf8');
      let first = true;
      res.on('data', (chunk) => {
        if (first) {
          first = false;
          if (++open === CONNECTIONS) resolve();
        }
        let at = -1;
        while ((at = chunk.indexOf('\ndata:', at + 1)) >= 0) if (++delivered === target) done();
      });
    });
    req.on('error', reject);
    req.end();
    sockets.push(req);
  }
});
const connected = procStat(b.pid);

const started = process.hrtime.bigint();
for (let i = 0; i < EVENTS; i++) {
  await fetch(`${a.url}/v1/channels/bench/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: { i, pad: 'x'.repeat(60) } }) });
}
await Promise.race([allDelivered, new Promise((resolve) => setTimeout(resolve, 120_000))]);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const after = procStat(b.pid);

const result = {
  when: new Date().toISOString(),
  machine: '2 cores, loopback, publisher + 2 edges + Redis + load generator on one box',
  connections: CONNECTIONS,
  events: EVENTS,
  deliveries: delivered,
  lost: target - delivered,
  seconds: Number(seconds.toFixed(3)),
  deliveriesPerSecond: Math.round(delivered / seconds),
  edgeCpuMicrosPerDelivery: Number((((after.cpuSeconds - connected.cpuSeconds) * 1e6) / delivered).toFixed(2)),
  edgeBytesPerIdleConnection: Math.round((connected.rssBytes - idle.rssBytes) / CONNECTIONS),
};
console.log(JSON.stringify(result, null, 2));
writeFileSync(new URL(`results/quick-fanout-${CONNECTIONS}x${EVENTS}.json`, import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
for (const req of sockets) req.destroy();
await Promise.all([a.stop(), b.stop()]);
await redis.stop();
process.exit(0);
