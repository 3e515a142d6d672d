// The shared picture frame: every browser that opens the frame page shows the same picture, and
// publishing a keyword changes it on all of them at once. Pictures are drawn in the page from
// the keyword (picture.js); nothing is fetched from the network but the page and the events.
//   node examples/picture-frame/frame.mjs [--port 8090]   serve the page; open it in any number of browsers
//   node examples/picture-frame/frame.mjs show sunset     put a picture in every open frame
// Both talk to the cluster at --url (TIDINGS_URL, default http://localhost:8080; TIDINGS_TOKEN if secured).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createClient } from '@tidings/client';

const CHANNEL = 'frame/picture';
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: process.env.TIDINGS_URL ?? 'http://localhost:8080' },
    port: { type: 'string', default: '8090' },
  },
});
const token = process.env.TIDINGS_TOKEN;
const [command = 'serve', ...words] = positionals;

if (command === 'show') await show(words.join(' '));
else if (command === 'serve' && words.length === 0) serve(Number(values.port));
else fail('usage: frame.mjs [serve] [--port 8090] | frame.mjs show KEYWORD');

function fail(message) {
  console.error(`frame.mjs: ${message}`);
  process.exit(1);
}

async function show(keyword) {
  if (!/^[\p{L}\p{N}][\p{L}\p{N} -]{0,39}$/u.test(keyword)) fail('the keyword is 1 to 40 letters, digits, spaces or hyphens, such as sunset');
  const client = createClient({ url: values.url, ...(token ? { token } : {}) });
  try {
    const { id } = await client.publish(CHANNEL, { keyword }, { event: 'picture' });
    console.log(`showing "${keyword}" (${id}) in every open frame`);
  } catch (error) {
    fail(`publishing to ${values.url} failed: ${error.message}`);
  } finally {
    client.close();
  }
}

function serve(port) {
  const here = (name) => readFileSync(new URL(name, import.meta.url));
  const files = {
    '/': ['text/html; charset=utf-8', here('page.html')],
    '/frame-page.js': ['text/javascript; charset=utf-8', here('frame-page.js')],
    '/picture.js': ['text/javascript; charset=utf-8', here('picture.js')],
    '/tidings-client.js': ['text/javascript; charset=utf-8', readFileSync(fileURLToPath(import.meta.resolve('@tidings/client/browser')))],
    '/settings.json': ['application/json', Buffer.from(JSON.stringify({ url: values.url, channel: CHANNEL, ...(token ? { token } : {}) }))],
  };
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://frame').pathname];
    if (req.method !== 'GET' || !file) return res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    res.writeHead(200, { 'content-type': file[0], 'cache-control': 'no-store' }).end(file[1]);
  });
  server.on('error', (error) => fail(`cannot serve on port ${port}: ${error.message}`));
  // Loopback only: the page carries the cluster's address (and token, when one is set).
  server.listen(port, '127.0.0.1', () => {
    console.log(`picture frame on http://localhost:${server.address().port}: open it in any number of browsers, then`);
    console.log(`  node examples/picture-frame/frame.mjs show sunset    (or ocean, forest, night, snow, any word)`);
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close(() => process.exit(0)));
}
