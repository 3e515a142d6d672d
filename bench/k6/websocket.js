// k6: VUS WebSocket subscribers of one channel held for HOLD_SECONDS; each counts events and, from
// the marker publish.js puts in the data, publish→receive latency (a Trend). Not run in this
// repository (k6 is not installed here); see README.md in this folder.
//   k6 run -e BASE_URL=ws://127.0.0.1:8080 -e VUS=1000 -e HOLD_SECONDS=60 bench/k6/websocket.js
import { WebSocket } from 'k6/experimental/websockets';
import { CHANNEL, HOLD_MS, recordEvent, subscriberOptions } from './subscribers.js';

const BASE_URL = __ENV.BASE_URL || 'ws://127.0.0.1:8080';

export const options = subscriberOptions;

export default function () {
  const ws = new WebSocket(`${BASE_URL}/v1/ws`);
  ws.onopen = () => {
    ws.send(JSON.stringify({ type: 'subscribe', channel: CHANNEL }));
    setTimeout(() => ws.close(), HOLD_MS);
  };
  ws.onmessage = (message) => {
    const frame = JSON.parse(message.data);
    if (frame.type === 'event') recordEvent(frame.data);
  };
}
