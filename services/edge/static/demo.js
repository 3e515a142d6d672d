// The demo page: two raw clocks (what any browser can do with no library), a publish box, and a
// live log through @tidings/client. The library is loaded on demand so the raw parts keep
// working even if it failed to load.
const CLOCK = 'demo/clock';
const LOG_LIMIT = 200;

const $ = (id) => document.getElementById(id);

function setState(id, state) {
  const el = $(id);
  el.dataset.state = state;
  el.textContent = state;
}

function formatClock(data) {
  const raw = data && typeof data === 'object' && 'time' in data ? data.time : data;
  const date = new Date(typeof raw === 'number' || typeof raw === 'string' ? raw : NaN);
  return Number.isNaN(date.getTime()) ? JSON.stringify(raw) : date.toLocaleTimeString();
}

function showClock(prefix, envelope) {
  $(prefix).textContent = formatClock(envelope.data);
  $(prefix).title = JSON.stringify(envelope.data);
  $(`${prefix}-id`).textContent = envelope.id;
}

// Full jitter: anywhere between 0 and a ceiling that doubles per failure, so a dead node's
// clients do not all come back in the same instant.
function backoffDelay(attempt) {
  return Math.random() * Math.min(30_000, 1000 * 2 ** attempt);
}

// (d) Which node served this page.
async function showNode() {
  try {
    const res = await fetch('/healthz', { cache: 'no-store' });
    const body = await res.json();
    $('node').textContent = body.node ?? `(${body.status ?? res.status})`;
  } catch (error) {
    $('node').textContent = 'unreachable';
    $('node').title = String(error);
  }
}

// (a) The clock over a plain EventSource: the browser reconnects and resumes by itself
// (Last-Event-ID). The clock is published with event name "tick".
function clockOverEventSource() {
  const source = new EventSource(`/v1/sse?channel=${encodeURIComponent(CLOCK)}`);
  const onEvent = (event) => {
    setState('clock-sse-state', 'open');
    showClock('clock-sse', JSON.parse(event.data));
  };
  source.addEventListener('open', () => setState('clock-sse-state', 'open'));
  source.addEventListener('tick', onEvent);
  source.addEventListener('message', onEvent);
  source.addEventListener('error', () => {
    setState('clock-sse-state', source.readyState === EventSource.CLOSED ? 'closed' : 'connecting');
  });
}

// (a) The same clock over a plain WebSocket, with the reconnect loop written out: back off with
// jitter, then subscribe again from the last id seen so nothing in between is missed.
function clockOverWebSocket() {
  const url = new URL('/v1/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  let lastId;
  let attempt = 0;

  const connect = () => {
    setState('clock-ws-state', 'connecting');
    const socket = new WebSocket(url);
    socket.addEventListener('open', () => {
      const frame = { type: 'subscribe', channel: CLOCK };
      if (lastId) frame.since = lastId;
      socket.send(JSON.stringify(frame));
    });
    socket.addEventListener('message', (message) => {
      const frame = JSON.parse(message.data);
      if (frame.type === 'subscribed') {
        attempt = 0;
        setState('clock-ws-state', 'open');
      } else if (frame.type === 'event' && frame.channel === CLOCK) {
        lastId = frame.id;
        showClock('clock-ws', frame);
      } else if (frame.type === 'error') {
        $('clock-ws').title = `${frame.code}: ${frame.message}`;
      }
    });
    socket.addEventListener('close', (event) => {
      // 4500-4999 say "do not come back" (see CLOSE in @tidings/protocol).
      if (event.code >= 4500 && event.code <= 4999) {
        setState('clock-ws-state', 'closed');
        return;
      }
      setState('clock-ws-state', 'connecting');
      setTimeout(connect, backoffDelay(attempt++));
    });
  };
  connect();
}

// (b') The receipts of the last ack event, polled: who got it, who confirmed, who is dead.
let receiptsTimer;
function watchReceipts(channel, id) {
  clearInterval(receiptsTimer);
  $('receipts').hidden = false;
  $('receipts-event').textContent = `${channel} ${id}`;
  const refresh = async () => {
    try {
      const res = await fetch(`/v1/channels/${encodeURIComponent(channel)}/events/${id}/receipts`, { cache: 'no-store' });
      const body = await res.json();
      const rows = (body.devices ?? []).map((d) => {
        const tr = document.createElement('tr');
        for (const [key, text] of [['device', d.device], ['state', d.state], ['attempts', d.attempts], ['retries', d.retries]]) {
          const td = document.createElement('td');
          td.textContent = String(text);
          if (key === 'state') td.dataset.state = d.state;
          tr.append(td);
        }
        return tr;
      });
      $('receipts').querySelector('tbody').replaceChildren(...rows);
      const open = (body.devices ?? []).some((d) => d.state === 'pending' || d.state === 'delivered');
      if (!open) clearInterval(receiptsTimer);
    } catch {
      // the next tick tries again
    }
  };
  refresh();
  receiptsTimer = setInterval(refresh, 1000);
}

// (b) Publish: one POST, the same as `curl -d`.
function publishBox() {
  const form = $('publish-form');
  const result = $('publish-result');
  form.addEventListener('submit', async (submit) => {
    submit.preventDefault();
    const channel = $('publish-channel').value.trim();
    const text = $('publish-message').value;
    let data = text;
    try {
      data = JSON.parse(text);
    } catch {
      data = text; // not JSON: send it as a string
    }
    $('publish-button').disabled = true;
    try {
      const res = await fetch(`/v1/channels/${encodeURIComponent(channel)}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ data, ack: $('publish-ack').checked }),
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(body.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${res.status}`);
      result.dataset.ok = 'true';
      result.textContent = `published ${body.id} on ${body.channel}` + (body.expected === undefined ? '' : `, ${body.expected} device(s) owe a receipt`);
      if (body.expected !== undefined) watchReceipts(body.channel, body.id);
    } catch (error) {
      result.dataset.ok = 'false';
      result.textContent = `publish failed: ${error.message}`;
    } finally {
      $('publish-button').disabled = false;
    }
  });
}

// (c) The live log, through the client library (dedupe, resume and backoff included).
function logRow(kind, cells) {
  const li = document.createElement('li');
  li.className = kind;
  for (const [name, text] of cells) {
    const span = document.createElement('span');
    span.className = name;
    span.textContent = text;
    li.append(span);
  }
  const log = $('log');
  log.querySelector('.empty')?.remove();
  log.prepend(li);
  while (log.children.length > LOG_LIMIT) log.lastElementChild.remove();
  return li;
}

async function liveLog() {
  const form = $('log-form');
  let client;
  let subscription;
  let library;
  try {
    library = await import('@tidings/client');
  } catch (error) {
    $('log-error').textContent = `could not load @tidings/client: ${error.message}`;
    $('log-subscribe').disabled = true;
    return;
  }

  const start = () => {
    subscription?.close();
    client?.close();
    $('log-error').textContent = '';
    $('log-cursor').textContent = '–';
    const pattern = $('log-pattern').value.trim();
    const device = $('log-device').value.trim();
    try {
      client = library.createClient({ url: location.origin, transport: $('log-transport').value, ...(device ? { device } : {}) });
      $('log-transport-used').textContent = `over ${client.transport}`;
      subscription = client.subscribe(
        pattern,
        (event) => {
          if ($('log-hide-clock').checked && event.channel === CLOCK) return;
          // A device answers the events that ask for it; redeliveries too (it may have missed the first).
          if (device && event.ack && $('log-confirm').checked) {
            client.ack(event.channel, event.id).catch((error) => {
              // 404: this event expects no receipt from us (we subscribed after it was published).
              if (error.status !== 404) $('log-error').textContent = `ack failed: ${error.message}`;
            });
          }
          const li = logRow(event.redelivery ? 'event redelivery' : 'event', [
            ['channel', event.channel],
            ['id', event.id],
            ['event', event.event],
            ['data', JSON.stringify(event.data)],
          ]);
          li.dataset.channel = event.channel;
          li.dataset.id = event.id;
          $('log-cursor').textContent = subscription?.cursor ?? '–';
        },
        {
          onState: (state) => setState('log-state', state),
          onReset: (reset) => logRow('reset', [
            ['channel', reset.channel],
            ['id', `${reset.lostFrom} … ${reset.lostTo}`],
            ['event', 'reset'],
            ['data', `lost (${reset.reason})`],
          ]),
          onError: (error) => {
            $('log-error').textContent = `${error.code ?? error.name}: ${error.message}`;
          },
        },
      );
    } catch (error) {
      setState('log-state', 'closed');
      $('log-error').textContent = `${error.code ?? error.name}: ${error.message}`;
    }
  };

  form.addEventListener('submit', (submit) => {
    submit.preventDefault();
    start();
  });
  start();
}

showNode();
clockOverEventSource();
clockOverWebSocket();
publishBox();
liveLog();
