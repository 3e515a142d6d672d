// k6: VUS Server-Sent Events subscribers of one channel held for HOLD_SECONDS, counting events and
// publish→receive latency from the marker publish.js puts in the data. Core k6 cannot read a
// stream as it arrives: this script needs a k6 built with the xk6-sse extension
// (`xk6 build --with github.com/phymbert/xk6-sse`). Not run in this repository (k6 is not
// installed here); see README.md in this folder.
//   ./k6 run -e BASE_URL=http://127.0.0.1:8080 -e VUS=1000 -e HOLD_SECONDS=60 bench/k6/sse.js
import sse from 'k6/x/sse';
import { check } from 'k6';
import { CHANNEL, HOLD_MS, recordEvent, subscriberOptions } from './subscribers.js';

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8080';

export const options = subscriberOptions;

export default function () {
  const started = Date.now();
  const response = sse.open(`${BASE_URL}/v1/sse?channel=${encodeURIComponent(CHANNEL)}`, { headers: { accept: 'text/event-stream' } }, (client) => {
    client.on('event', (event) => {
      if (Date.now() - started > HOLD_MS) client.close();
      if (event.data) recordEvent(JSON.parse(event.data).data);
    });
    client.on('error', (error) => console.error(`sse: ${error.error()}`));
  });
  check(response, { 'subscribed (200)': (r) => r && r.status === 200 });
}
