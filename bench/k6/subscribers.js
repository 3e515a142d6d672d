// What the SSE and WebSocket k6 scripts share: the channel, how long each subscriber stays, the
// scenario (one long iteration per VU) and the metrics read off the publisher's marker.
import { Counter, Trend } from 'k6/metrics';

export const CHANNEL = __ENV.CHANNEL || 'bench';
export const HOLD_MS = Number(__ENV.HOLD_SECONDS || 60) * 1000;

export const subscriberOptions = {
  scenarios: { subscribers: { executor: 'per-vu-iterations', vus: Number(__ENV.VUS || 100), iterations: 1, maxDuration: '10m' } },
};

const events = new Counter('tidings_events');
const latency = new Trend('tidings_publish_to_receive_ms', true);

/** Counts one event and, when its data carries publish.js's `q<seq>.<sent µs>.` marker, its latency. */
export function recordEvent(data) {
  events.add(1);
  const match = typeof data === 'string' ? /^q(\d+)\.(\d+)\./.exec(data) : null;
  if (match) latency.add(Date.now() - Number(match[2]) / 1000);
}
