import { createServer, type Server } from 'node:http';
import { startRedisServer } from '../redis-server.js';
import type { ServiceProcess } from '../service-process.js';
import { waitUntil } from '../wait-until.js';
import { startWorker } from '../worker-process.js';
import { DeliveryLedger } from './delivery-ledger.js';
import type { Transport } from './durable-subscribers.js';
import { startEdgeFleet } from './edge-fleet.js';
import { runThroughFault } from './fault-run.js';
import type { Scale, ScenarioReport } from './scenarios.js';

// The worker under faults: publishers send ack events while durable devices of three kinds answer
// them — SSE devices at once, WebSocket devices only when the worker redelivers, long-poll devices
// never — and workers crash or race. At the end every (event, device) pair must have ended once:
// answered, or dead after exactly the planned retries with one dead letter.

export interface ReceiptTally {
  /** Ack-required (event, device) pairs. */
  readonly pairs: number;
  readonly answered: number;
  readonly dead: number;
  /** Still pending or delivered when the run gave up waiting: never expected. */
  readonly unsettled: number;
  /** Dead although the device answered, or answered although it never does. */
  readonly wrongEnd: number;
  /** Dead pairs whose retry count is not the configured one (a round run twice, or skipped). */
  readonly wrongRetries: number;
  /** Dead pairs no dead letter named. */
  readonly lettersMissing: number;
  /** Dead pairs named by more than one distinct letter (delivery id). */
  readonly lettersDuplicated: number;
  /** Letters POSTed again under a delivery id already received (the webhook is at least once; receivers drop them by id). */
  readonly letterRepeats: number;
}

export interface WorkerFaultReport extends ScenarioReport {
  readonly receipts: ReceiptTally;
}

/**
 * Every event here owes a receipt per device and is read back per device at the end: the full run
 * keeps to 20 devices per transport and 100 events per publisher.
 */
export const workerScale = (scale: Scale): Scale => ({
  ...scale,
  subscribersPerTransport: Math.min(scale.subscribersPerTransport, 20),
  eventsPerPublisher: Math.min(scale.eventsPerPublisher, 100),
});

export type WorkerFault = 'kill' | 'race';

const CHANNELS = ['jobs/a', 'jobs/b'];
const RETRIES = 2;
const WEBHOOK_SECRET = 'fault-suite-webhook-secret';
/**
 * Small runs: first redelivery a second after publish, two rounds 1-2 s apart, then dead. Full
 * runs answer 24,000 receipts from one process (about 1.5k a second on two cores), so a device's
 * prompt answer can land ten seconds after its event: there the rounds are fifteen times slower,
 * or answered pairs end dead first. A killed worker's job is free again after 2 s.
 */
const policy = (seconds: number) => [
  ...['--receipts-ack-timeout-seconds', String(seconds), '--receipts-max-retries', String(RETRIES)],
  ...['--receipts-backoff-base-seconds', String(seconds), '--receipts-backoff-max-seconds', String(2 * seconds)],
  ...['--jobs-lock-seconds', '2', '--jobs-reconcile-seconds', '1', '--webhook-secret', WEBHOOK_SECRET],
];
/** Receipts one run posts at once. */
const ANSWERS_IN_FLIGHT = 128;
/** Long-poll devices give up a request unanswered this long after its timeout (as a client would), and ask again. */
const SILENCE_MS = 4000;
/** How each kind of device answers: at the first delivery, at the first redelivery, never. */
const ANSWERS: Record<Transport, 'first' | 'redelivery' | 'never'> = { sse: 'first', ws: 'redelivery', poll: 'never' };

/**
 * `kill`: two workers from the start; once redeliveries run, one is killed with SIGKILL and a new
 * one started in its place. `race`: no worker while the first events are published, then two
 * started at once, racing for the same overdue rounds.
 */
export async function workerFaults(fault: WorkerFault, scale: Scale): Promise<WorkerFaultReport> {
  const redis = await startRedisServer();
  const letters = await startLetterBox();
  const workers: ServiceProcess[] = [];
  const startWorkers = async (count: number) => {
    const seconds = scale.subscribersPerTransport > 5 ? 15 : 1;
    workers.push(...(await Promise.all(Array.from({ length: count }, () => startWorker({ redisUrl: redis.url, args: [...policy(seconds), '--webhook-url', letters.url] })))));
  };
  try {
    const fleet = await startEdgeFleet(redis.url, 2, ['--sse-heartbeat-seconds', '1']); // heartbeats well inside SILENCE_MS
    try {
      if (fault === 'kill') await startWorkers(2);
      const ledger = new DeliveryLedger();
      const answering = new Answering(fleet.balancer.url);
      const devices = 3 * scale.subscribersPerTransport;
      const ended = async () => {
        const now = await tally(fleet.balancer.url, ledger, letters, devices);
        return now.unsettled === 0 && now.lettersMissing === 0;
      };
      // A guard, not a measure: what has not ended by then is in the report.
      const settled = () => waitUntil(ended, 'every ack pair to end', 120_000, 500).catch(() => undefined);
      const report = await runThroughFault(
        {
          scenario: `worker-${fault}`,
          url: fleet.balancer.url,
          channels: CHANNELS,
          ...scale,
          ack: true,
          silenceMs: SILENCE_MS,
          onAckEvent: (device, channel, id, redelivery) => answering.take(device, channel, id, redelivery),
          beforeStop: settled, // late answerers need their redeliveries
        },
        async () => {
          if (fault === 'race') return startWorkers(2);
          await waitUntil(() => answering.redeliveries > 0, 'the first redeliveries', 60_000, 20);
          const victim = workers.shift()!;
          victim.kill9();
          await victim.exited;
          await startWorkers(1);
        },
        ledger,
      );
      await answering.idle();
      const receipts = await tally(fleet.balancer.url, ledger, letters, devices);
      return { ...report, unexpected: [...report.unexpected, ...answering.failures], lostByRedis: 0, lossWindowMs: 0, missingKept: report.missing, receipts };
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await fleet.stop();
    }
  } finally {
    await letters.stop();
    await redis.stop();
  }
}

/** Posts each device's receipt as its kind says, once per (device, event). */
class Answering {
  redeliveries = 0;
  readonly failures: string[] = [];
  private readonly answered = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly queued: [string, string, string][] = [];

  constructor(private readonly url: string) {}

  take(device: { readonly name: string; readonly transport: Transport }, channel: string, id: string, redelivery: boolean): void {
    if (redelivery) this.redeliveries += 1;
    const when = ANSWERS[device.transport];
    if (when === 'never' || (when === 'redelivery' && !redelivery)) return;
    const pair = `${device.name} ${channel} ${id}`;
    if (this.answered.has(pair)) return;
    this.answered.add(pair);
    this.queued.push([device.name, channel, id]);
    this.next();
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.race([...this.inFlight]);
  }

  private next(): void {
    while (this.inFlight.size < ANSWERS_IN_FLIGHT && this.queued.length > 0) {
      const [device, channel, id] = this.queued.shift()!;
      const posting: Promise<void> = this.post(device, channel, id).finally(() => {
        this.inFlight.delete(posting);
        this.next();
      });
      this.inFlight.add(posting);
    }
  }

  private async post(device: string, channel: string, id: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(`${this.url}/v1/channels/${encodeURIComponent(channel)}/events/${id}/receipts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ device, status: 'processed' }),
        });
        const body = await res.text();
        if (res.status === 200) return;
        if (attempt === 5) throw new Error(`receipt answered ${res.status} ${body}`);
      } catch (error) {
        if (attempt === 5) {
          this.failures.push(`receipt for ${device} ${channel} ${id}: ${String(error)}`);
          return;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

interface LetterBox {
  readonly url: string;
  /** Delivery ids per `<channel> <id> <device>`, and how many POSTs each delivery id had. */
  readonly byPair: Map<string, Set<string>>;
  readonly posts: Map<string, number>;
  stop(): Promise<void>;
}

/** The dead-letter webhook: records which letters named which pairs. */
async function startLetterBox(): Promise<LetterBox> {
  const byPair = new Map<string, Set<string>>();
  const posts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const delivery = String(req.headers['tidings-delivery']);
      posts.set(delivery, (posts.get(delivery) ?? 0) + 1);
      const letter = JSON.parse(body) as { channel: string; id: string; devices: { device: string }[] };
      for (const { device } of letter.devices) {
        const pair = `${letter.channel} ${letter.id} ${device}`;
        let ids = byPair.get(pair);
        if (!ids) byPair.set(pair, (ids = new Set()));
        ids.add(delivery);
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/dead-letters`,
    byPair,
    posts,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface DeviceReceipt {
  readonly device: string;
  readonly state: string;
  readonly retries: number;
}

/** Every published ack event's receipts, read back through the API, against what each device kind does. */
async function tally(url: string, ledger: DeliveryLedger, letters: LetterBox, devices: number): Promise<ReceiptTally> {
  const counts = { pairs: 0, answered: 0, dead: 0, unsettled: 0, wrongEnd: 0, wrongRetries: 0, lettersMissing: 0, lettersDuplicated: 0 };
  for (const channel of CHANNELS) {
    for (const id of ledger.publishedIds(channel)) {
      const res = await fetch(`${url}/v1/channels/${encodeURIComponent(channel)}/events/${id}/receipts?limit=1000`);
      const receipts = ((await res.json()) as { devices: DeviceReceipt[] }).devices;
      // A device missing from the list was never expected to answer: as wrong as one that never ends.
      counts.pairs += devices;
      counts.unsettled += Math.max(0, devices - receipts.length);
      for (const receipt of receipts) {
        const silent = receipt.device.includes('-poll-');
        if (receipt.state === 'dead') {
          counts.dead += 1;
          if (!silent) counts.wrongEnd += 1;
          if (receipt.retries !== RETRIES) counts.wrongRetries += 1;
          const named = letters.byPair.get(`${channel} ${id} ${receipt.device}`)?.size ?? 0;
          if (named === 0) counts.lettersMissing += 1;
          if (named > 1) counts.lettersDuplicated += 1;
        } else if (receipt.state === 'pending' || receipt.state === 'delivered') {
          counts.unsettled += 1;
        } else {
          counts.answered += 1;
          if (silent) counts.wrongEnd += 1;
        }
      }
    }
  }
  let letterRepeats = 0;
  for (const n of letters.posts.values()) letterRepeats += n - 1;
  return { ...counts, letterRepeats };
}
