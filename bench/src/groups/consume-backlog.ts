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
  let finished = 0;
  // Once the last event is acknowledged, the claims still waiting for more are cut short.
  const done = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, done.signal]) : done.signal;
  const progress = setInterval(() => console.log(`  ${seen.size}/${options.events} acknowledged, ${Math.round((performance.now() - started) / 1000)} s`), 2000);
  const consumer = async (i: number) => {
    while (seen.size < options.events && !signal.aborted) {
      let t = performance.now();
      const claim = await post(`${base(i)}/claim`, { consumer: `bench-${i}`, count: options.count, wait: 1 }, signal).catch((error: unknown) => {
        if (done.signal.aborted) return undefined; // cut short at the end, not a failure
        throw error;
      });
      if (claim === undefined) break;
      claims.record((performance.now() - t) * 1000);
      const { events, resets } = claim as { events: { id: string }[]; resets: unknown[] };
      // The group reports events trimmed from the log before anyone claimed them: a drain that lost them measures nothing.
      if (resets.length > 0) throw new Error(`the log lost events before they were claimed: ${JSON.stringify(resets)}`);
      if (events.length === 0) continue;
      const ids = events.map((e) => e.id);
      for (const id of ids) {
        if (seen.has(id)) repeated++;
        seen.add(id);
      }
      t = performance.now();
      await post(`${base(i)}/acks`, { ids }, options.signal);
      acks.record((performance.now() - t) * 1000);
      if (seen.size >= options.events && finished === 0) {
        finished = performance.now();
        done.abort();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.consumers }, (_, i) => consumer(i)));
  } finally {
    clearInterval(progress);
  }
  return { acked: seen.size, repeated, seconds: ((finished || performance.now()) - started) / 1000, claims, acks };
}
