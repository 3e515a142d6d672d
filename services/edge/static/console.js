// The web console: panels over the admin API and the client library. No framework; every value
// from the network is written with textContent, never as HTML.
import { createClient } from '/lib/tidings-client.js';
import { forgetAdminToken, keptAdminToken, signIn } from './console-session.js';
import { receiptCategory, receiptCounts } from './console-receipts.js';

/** Lines the tail keeps: older ones are dropped, so a busy channel cannot grow the page without bound. */
const TAIL_LINES = 200;
const REFRESH_MS = 3000;

const $ = (id) => document.getElementById(id);
let session;
let client;
let tail;
let presenceChannel = '';
/** The event whose receipts are shown, refreshed with the rest until another is chosen. */
let receiptsOf;
let refreshTimer;

$('admin-token').value = keptAdminToken();
$('keep-token').checked = keptAdminToken() !== '';
$('sign-in').addEventListener('submit', (e) => {
  e.preventDefault();
  void start($('admin-token').value.trim(), $('keep-token').checked);
});
$('sign-out').addEventListener('click', (e) => {
  e.preventDefault();
  forgetAdminToken();
  location.reload(); // drops every token this page held
});
// A kept admin token, or an anonymous development node, signs in by itself.
void start(keptAdminToken(), true, { quiet: true });

async function start(adminToken, keep, { quiet = false } = {}) {
  $('sign-in-error').textContent = '';
  try {
    session = await signIn(adminToken, keep);
  } catch (error) {
    if (!quiet) $('sign-in-error').textContent = `${error.code ?? 'error'}: ${error.message}`;
    return;
  }
  $('admin-token').value = '';
  client = createClient({ url: location.origin, transport: 'ws', ...(session.anonymous ? {} : { token: session.streamToken }) });
  $('who').textContent = session.anonymous ? 'anonymous node (development)' : 'signed in with the admin token';
  $('sign-in').hidden = true;
  $('panels').hidden = false;
  $('signed-in-only').hidden = false;
  await refresh();
}

async function refresh() {
  clearTimeout(refreshTimer);
  await Promise.all([showNodes().then(showChannels), showGroups(), presenceChannel ? showPresence() : undefined, receiptsOf ? showReceipts(receiptsOf) : undefined].map((p) => p?.catch(showFailure)));
  refreshTimer = setTimeout(refresh, REFRESH_MS);
}

function showFailure(error) {
  $('who').textContent = `last refresh failed: ${error.code ?? ''} ${error.message}`;
}

async function showNodes() {
  const [{ nodes }, connections] = await Promise.all([session.admin('/v1/admin/nodes'), session.admin('/v1/admin/connections')]);
  fill('nodes', nodes, (n) => [n.node, n.alive ? 'alive' : 'not reporting', n.connections.sse, n.connections.ws, time(n.lastSeen)], (n) => (n.alive ? '' : 'bad'));
  $('connections-total').textContent = `${connections.total} connection(s) on ${connections.nodes} live node(s)`;
  return connections;
}

async function showChannels(connections) {
  const { channels, truncated } = await session.admin('/v1/admin/channels');
  // Patterns with subscribers hold no events themselves, but are worth seeing too.
  const names = [...new Set([...channels, ...Object.keys(connections.channels)])].sort();
  fill('channels', names, (name) => [name, connections.channels[name] ?? 0], () => '', (name) => useChannel(name));
  $('channels-note').textContent = truncated ? 'the first ones by name' : '';
}

async function showGroups() {
  const { groups } = await session.admin('/v1/admin/groups');
  $('groups-empty').hidden = groups.length > 0;
  $('groups').hidden = groups.length === 0;
  fill('groups', groups, (g) => [g.channel, g.group, g.consumers, g.pending, g.lag, g.dead, g.lastDeliveredId]);
}

/** A click on a channel points every panel at it. */
function useChannel(name) {
  for (const id of ['tail-pattern', 'publish-channel', 'presence-channel', 'receipts-channel']) $(id).value = name;
}

$('tail-form').addEventListener('submit', (e) => {
  e.preventDefault();
  tail?.close();
  const pattern = $('tail-pattern').value.trim();
  tail = client.subscribe(pattern, addTailLine, {
    onState: (state) => ($('tail-state').textContent = `${state}: ${pattern}`),
    onError: (error) => ($('tail-state').textContent = `${error.code}: ${error.message}`),
  });
});
$('tail-stop').addEventListener('click', () => {
  tail?.close();
  tail = undefined;
  $('tail-state').textContent = 'stopped';
});
$('tail-clear').addEventListener('click', () => $('tail').replaceChildren());

function addTailLine(event) {
  const line = element('li', '', [
    element('time', 'muted', time(Date.now())),
    element('span', 'channel', event.channel),
    element('code', 'id', event.id),
    element('span', 'event', event.event),
    element('code', 'data', typeof event.data === 'string' ? event.data : JSON.stringify(event.data)),
  ]);
  if (event.ack) {
    const show = element('button', 'small', 'receipts');
    show.type = 'button';
    show.addEventListener('click', () => void chooseReceipts(event.channel, event.id));
    line.append(show);
  }
  const list = $('tail');
  list.prepend(line);
  while (list.childElementCount > TAIL_LINES) list.lastElementChild.remove();
}

$('publish-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const channel = $('publish-channel').value.trim();
  const event = $('publish-event').value.trim();
  const ack = $('publish-ack').checked;
  try {
    const { id } = await client.publish(channel, parseMessage($('publish-data').value), { ...(event ? { event } : {}), ack });
    $('publish-result').textContent = `published ${id} on ${channel}`;
    if (ack) await chooseReceipts(channel, id);
  } catch (error) {
    $('publish-result').textContent = `${error.code}: ${error.message}`;
  }
});

/** JSON when it parses, else the text itself: what `curl -d` does too. */
function parseMessage(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

$('presence-form').addEventListener('submit', (e) => {
  e.preventDefault();
  presenceChannel = $('presence-channel').value.trim();
  void showPresence().catch((error) => ($('presence-summary').textContent = `${error.code}: ${error.message}`));
});

async function showPresence() {
  const { online, devices } = await client.presence(presenceChannel);
  $('presence-summary').textContent = `${online} device(s) online on ${presenceChannel}`;
  fill('presence', devices, (d) => [d.device, d.node, time(d.since), time(d.lastSeen)]);
}

$('receipts-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void chooseReceipts($('receipts-channel').value.trim(), $('receipts-id').value.trim());
});

function chooseReceipts(channel, id) {
  $('receipts-channel').value = channel;
  $('receipts-id').value = id;
  receiptsOf = { channel, id };
  return showReceipts(receiptsOf);
}

async function showReceipts({ channel, id }) {
  try {
    // The server's first page (its default size): a picture, not an export.
    const page = await session.channelApi(`/v1/channels/${encodeURIComponent(channel)}/events/${encodeURIComponent(id)}/receipts`);
    const counts = receiptCounts(page.devices);
    const pills = Object.entries(counts).map(([category, n]) => element('span', `pill ${category}`, `${n} ${category}`));
    const more = page.next ? [element('span', 'muted', `the first ${page.devices.length} of ${page.expected} devices`)] : [];
    $('receipts-summary').replaceChildren(...pills, ...more);
    fill('receipts', page.devices, (r) => [r.device, receiptCategory(r), r.state, r.attempts, r.retries, time(r.deadAt ?? r.receiptAt ?? r.deliveredAt), r.detail ?? ''], receiptCategory);
  } catch (error) {
    $('receipts-summary').textContent = `${error.code}: ${error.message}`;
    $('receipts').tBodies[0].replaceChildren();
  }
}

/** Replaces a table's rows: one per item, cells as text, an optional class and click handler per row. */
function fill(tableId, items, cells, rowClass = () => '', onClick) {
  const rows = items.map((item) => {
    const row = element('tr', rowClass(item), cells(item).map((cell) => element('td', '', String(cell ?? ''))));
    if (onClick) row.addEventListener('click', () => onClick(item));
    return row;
  });
  $(tableId).tBodies[0].replaceChildren(...rows);
}

function element(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (Array.isArray(content)) node.append(...content);
  else node.textContent = content;
  return node;
}

function time(ms) {
  return ms ? new Date(ms).toLocaleTimeString() : '';
}
