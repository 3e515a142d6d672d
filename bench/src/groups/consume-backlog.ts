// Consumer groups under load: a backlog of events on one channel, drained by one group's
// consumers with claim → ack loops over HTTP, spread over the edges. Every event is claimed and
// acknowledged exactly once unless the run says otherwise (it checks).
import { LatencyHistogram } from '../loadgen/index.js';

export interface ConsumeOptions {
  /** Edge base URLs; consumer i talks to edge i mod n. */
  readonly urls: readonly string[];
  readonly channel: string;
  readonly group: string;
  readonly consumers: number;
  /** Events per claim. */
  readonly count: number;
  /** Stop once this many distinct events were acknowledged. */
  readonly events: number;
  readonly signal?: AbortSignal;
}

export interface ConsumeResult {
  readonly acked: number;
  /** Events handed out more than once (none expected: no consumer dies, none is slower than the visibility timeout). */
  readonly repeated: number;
  readonly seconds: number;
  readonly claims: LatencyHistogram;
  readonly acks: LatencyHistogram;
}

async function post(url: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
  const answer: unknown = await res.json();
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${JSON.stringify(answer)}`);
  return answer;
}

export async function consumeBacklog(options: ConsumeOptions): Promise<ConsumeResult> {
  const seen = new Set<string>();
  let repeated = 0;
  const claims = new LatencyHistogram();
  const acks = new LatencyHistogram();
  const base = (i: number) => `${options.urls[i % options.urls.length]}/v1/channels/${encodeURIComponent(options.channel)}/groups/${options.group}`;
  const started = performance.now();
  const consumer = async (i: number) => {
    while (seen.size < options.events && !options.signal?.aborted) {
      let t = performance.now();
      const claim = (await post(`${base(i)}/claim`, { consumer: `bench-${i}`, count: options.count, wait: 1 }, options.signal)) as { events: { id: string }[] };
      claims.record((performance.now() - t) * 1000);
      if (claim.events.length === 0) continue;
      const ids = claim.events.map((e) => e.id);
      for (const id of ids) {
        if (seen.has(id)) repeated++;
        seen.add(id);
      }
      t = performance.now();
      await post(`${base(i)}/acks`, { ids }, options.signal);
      acks.record((performance.now() - t) * 1000);
    }
  };
  await Promise.all(Array.from({ length: options.consumers }, (_, i) => consumer(i)));
  return { acked: seen.size, repeated, seconds: (performance.now() - started) / 1000, claims, acks };
}
