// The line a running scenario prints every few seconds: connections so far and their rate, then
// deliveries so far, their rate and the p99 of the latency samples since the previous line.
import type { LoadGenerator } from '../loadgen/index.js';

const EVERY_MS = 2000;

function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  return String(Math.round(n));
}

/** Prints progress until the returned function is called. */
export function startProgressTicker(generator: LoadGenerator, total: number, log: (line: string) => void): () => void {
  let last = { at: performance.now(), ready: 0, deliveries: 0 };
  const window = generator.openLatencyWindow();
  const timer = setInterval(() => {
    const now = performance.now();
    const live = generator.live();
    const seconds = (now - last.at) / 1000;
    const recent = window.take();
    const p99 = recent.count > 0 ? `${(recent.percentile(99) / 1000).toFixed(1)} ms` : '–';
    const acks = live.acksSent > 0 ? ` · ${compact(live.acksConfirmed)}/${compact(live.acksSent)} acks confirmed` : '';
    log(
      `  ${compact(live.ready)}/${compact(total)} connected (${compact((live.ready - last.ready) / seconds)}/s), ${live.dropped} dropped · ` +
        `${compact(live.deliveries)} deliveries (${compact((live.deliveries - last.deliveries) / seconds)}/s) · p99 ${p99}${acks}`,
    );
    last = { at: now, ready: live.ready, deliveries: live.deliveries };
  }, EVERY_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    window.close();
  };
}
