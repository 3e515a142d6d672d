// k6: HTTP publish at a constant arrival rate against a Tidings edge. Each event's data is the
// bench's marker `q<seq>.<sent µs>.` padded to PAYLOAD bytes, so sse.js and websocket.js (run at
// the same time) can measure publish→receive latency. Not run in this repository (k6 is not
// installed here); see README.md in this folder.
//   k6 run -e BASE_URL=http://127.0.0.1:8080 -e RATE=100 -e DURATION=60s bench/k6/publish.js
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8080';
const CHANNEL = __ENV.CHANNEL || 'bench';
const PAYLOAD = Number(__ENV.PAYLOAD || 64);

export const options = {
  scenarios: {
    publish: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE || 100),
      timeUnit: '1s',
      duration: __ENV.DURATION || '60s',
      preAllocatedVUs: 10,
      maxVUs: 100,
    },
  },
  thresholds: { http_req_failed: ['rate==0'] },
};

function marker(seq) {
  const head = `q${seq}.${Date.now() * 1000}.`;
  return head.length >= PAYLOAD ? head : head + 'x'.repeat(PAYLOAD - head.length);
}

export default function () {
  // Iterations start at 0 across all VUs: the sequence number of this event.
  const seq = exec.scenario.iterationInTest + 1;
  const res = http.post(`${BASE_URL}/v1/channels/${encodeURIComponent(CHANNEL)}/events`, JSON.stringify({ data: marker(seq) }), {
    headers: { 'content-type': 'application/json', ...(__ENV.API_KEY ? { authorization: `Bearer ${__ENV.API_KEY}` } : {}) },
  });
  check(res, { 'published (201)': (r) => r.status === 201 });
}
