import { describe, expect, it } from 'vitest';
import { oneResponse, parseResponses, type RawReply, type RawResponse, rawRequest } from './raw-http.js';
import { edgesOnRedis, history } from './support.js';

// HTTP that no ordinary client sends, over bare sockets. Requests uWebSockets.js cannot parse
// never reach a handler: it answers nothing and closes the connection (at once, or after its
// ~10 s limit for an unfinished request head). Requests it parses but whose body framing is
// ambiguous (request smuggling) are dropped the same way by the edge: uWS would go on to read a
// request hidden behind one even after answering it with Connection: close.

const fixture = edgesOnRedis(1);
const edge = () => fixture.edges[0]!;

/** Sends `request` and waits for the server to close the connection, or (`hangUp`) hangs up after it and takes what came. */
const send = (request: string | Buffer, hangUp = false): Promise<RawReply> => rawRequest(edge().port, request, { hangUp });

function responsesOf(reply: RawReply): RawResponse[] {
  return parseResponses(reply.bytes).responses;
}

function errorOf(response: RawResponse): { code: string; message: string } {
  return (JSON.parse(response.body.toString('utf8')) as { error: { code: string; message: string } }).error;
}

/** uWS dropped the request: no answer at all (a future uWS may say 4xx), nothing written. */
async function expectDropped(reply: RawReply, channel?: string): Promise<void> {
  const statuses = responsesOf(reply).map((r) => r.status);
  expect(statuses.length === 0 || (statuses.length === 1 && statuses[0]! >= 400 && statuses[0]! < 500), `answered ${statuses.join(', ')}`).toBe(true);
  if (channel) expect(await history(edge(), channel)).toEqual([]);
}

/** A channel of its own for each case, named after it. */
const channelFor = (name: string) => `wire/${name.replace(/[^A-Za-z0-9]+/g, '-')}`;
const post = (channel: string, headers: string, body: string) => `POST /v1/channels/${channel}/events HTTP/1.1\r\nHost: x\r\n${headers}\r\n${body}`;
/** Would publish to `smuggled` if it were read as a request of its own. */
const SMUGGLED = 'POST /v1/channels/smuggled/events HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nno';

describe.concurrent('request smuggling shapes', () => {
  it('a chunked body is read, and the connection kept', async () => {
    const reply = await rawRequest(edge().port, post('wire/chunked', 'Transfer-Encoding: chunked\r\n', '5\r\nhello\r\n0\r\n\r\n'), { until: oneResponse });
    expect(responsesOf(reply).map((r) => r.status)).toEqual([201]);
    expect(await history(edge(), 'wire/chunked')).toMatchObject([{ data: 'hello' }]);
  });

  it.each([
    ['two Content-Length headers that disagree', 'Content-Length: 2\r\nContent-Length: 40\r\n', 'hi'],
    ['an unknown Transfer-Encoding', 'Transfer-Encoding: xchunked\r\n', '5\r\nhello\r\n0\r\n\r\n'],
    ['a Transfer-Encoding list', 'Transfer-Encoding: gzip, chunked\r\n', '5\r\nhello\r\n0\r\n\r\n'],
    ['two Transfer-Encoding headers', 'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n', '5\r\nhello\r\n0\r\n\r\n'],
  ])('%s: dropped unanswered, and nothing read after it', async (name, headers, body) => {
    const reply = await send(post(channelFor(name), headers, body) + SMUGGLED);
    expect(reply).toMatchObject({ closedByServer: true, bytes: Buffer.alloc(0) });
    expect(await history(edge(), channelFor(name))).toEqual([]);
    expect(await history(edge(), 'smuggled')).toEqual([]);
  });

  it.each([
    ['Content-Length and Transfer-Encoding together', 'Content-Length: 4\r\nTransfer-Encoding: chunked\r\n', '5\r\nhello\r\n0\r\n\r\n'],
    ['a Content-Length list', 'Content-Length: 5, 5\r\n', 'hello'],
    ['a negative Content-Length', 'Content-Length: -5\r\n', 'hello'],
    ['a Content-Length with trailing garbage', 'Content-Length: 5x\r\n', 'hello'],
    ['a Content-Length past 2^64', 'Content-Length: 99999999999999999999999\r\n', 'hello'],
    ['a space before the colon', 'Content-Length : 5\r\n', 'hello'],
    ['a header folded onto the next line (obs-fold)', 'Content-Length:\r\n 5\r\n', 'hello'],
    ['a chunk size that is not hex', 'Transfer-Encoding: chunked\r\n', 'zz\r\nhello\r\n0\r\n\r\n'],
    ['a chunk size past 2^64', 'Transfer-Encoding: chunked\r\n', 'ffffffffffffffffff\r\nhello\r\n0\r\n\r\n'],
  ])('%s: dropped by uWS, nothing written', async (name, headers, body) => {
    await expectDropped(await send(post(channelFor(name), headers, body) + SMUGGLED), channelFor(name));
    expect(await history(edge(), 'smuggled')).toEqual([]);
  });
});

const headerLines = (count: number) => Array.from({ length: count }, (_, i) => `X-Filler-${i}: v\r\n`).join('');

describe.concurrent('malformed request heads never reach a handler', () => {
  it('a well-formed request followed by a hang-up is answered (so the silence below is a refusal)', async () => {
    expect(responsesOf(await send('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', true)).map((r) => r.status)).toEqual([200]);
  });

  it.each([
    ['a control byte in the target', 'GET /v1/channels/a\x01b/events HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a NUL in the target', 'GET /healthz\x00 HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['bare LF line ends', 'GET /healthz HTTP/1.1\nHost: x\n\n'],
    ['a bare LF inside Last-Event-ID (SSE field injection)', 'GET /v1/sse?channel=a HTTP/1.1\r\nHost: x\r\nLast-Event-ID: MQ\ndata: x\r\n\r\n'],
    ['a bare CR inside Last-Event-ID', 'GET /v1/sse?channel=a HTTP/1.1\r\nHost: x\r\nLast-Event-ID: MQ\rdata: x\r\n\r\n'],
    ['no Host header', 'GET /healthz HTTP/1.1\r\n\r\n'],
    ['binary garbage', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n'],
    ['more headers than uWS keeps (48)', `GET /healthz HTTP/1.1\r\nHost: x\r\n${headerLines(48)}\r\n`],
    ['a flood of 1000 headers', `GET /healthz HTTP/1.1\r\nHost: x\r\n${headerLines(1000)}\r\n`],
    ['one 1 MB header', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(1 << 20)}\r\n\r\n`],
  ])('%s', async (_name, request) => {
    await expectDropped(await send(Buffer.from(request, 'latin1'), true));
  });

  it('47 extra headers (the most uWS keeps) are still served', async () => {
    expect(responsesOf(await send(`GET /healthz HTTP/1.1\r\nHost: x\r\n${headerLines(47)}\r\n`, true)).map((r) => r.status)).toEqual([200]);
  });

  it('a slowloris request (a head trickled a byte at a time, never finished) is cut off, not held', async () => {
    const trickle = [...'GET /healthz HTTP/1.1\r\nHost: x\r\n', ...'X-Slow: '.repeat(20)];
    // uWS gives a request head ~10 s in all, however steadily it trickles; the guard only stops a hang.
    const reply = await rawRequest(edge().port, trickle, { gapMs: 250, guardMs: 60_000 });
    expect(reply.closedByServer).toBe(true);
    expect(reply.bytes.length).toBe(0);
  }, 70_000);
});

describe('bytes that are not UTF-8 in a request line', () => {
  it.each([
    ['the query', 'GET /v1/poll?channel=a\xff&timeout=0'],
    ['the path', 'GET /v1/channels/a\xff/events'],
    ['the query, a DEL control byte', 'GET /v1/poll?channel=a\x7fb&timeout=0'],
  ])('in %s: a JSON 400 naming the channel', async (_name, line) => {
    const [response] = responsesOf(await send(Buffer.from(`${line} HTTP/1.1\r\nHost: x\r\n\r\n`, 'latin1'), true));
    expect(response?.status).toBe(400);
    expect(errorOf(response!).code).toBe('TIDINGS_CHANNEL_INVALID');
  });
});

describe('HEAD', () => {
  it.each([
    ['/healthz', 200],
    ['/v1/publish', 405],
  ])('HEAD %s answers as GET would, with the length of the body it leaves out', async (path, status) => {
    const get = await fetch(`${edge().url}${path}`);
    const reply = await send(`HEAD ${path} HTTP/1.1\r\nHost: x\r\n\r\n`, true);
    const { responses, rest } = parseResponses(reply.bytes, true);
    expect(responses.map((r) => [r.status, Number(r.headers['content-length'])])).toEqual([[status, Buffer.byteLength(await get.text())]]);
    expect(rest.toString('latin1')).toBe(''); // a body here would be read as the next response
  });
});

// uWebSockets.js serves pipelined requests only while each is answered before the next is read:
// one behind a request still waiting (for Redis) closes the connection, so that answers can never
// be mixed up. No browser pipelines; a client that does must retry, and idempotency keys make
// the retry safe (docs/api.md "HTTP/1.1 pipelining").
describe('HTTP/1.1 pipelining', () => {
  const health = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
  const keyed = (channel: string, key: string) => {
    const body = JSON.stringify({ data: key, idempotencyKey: key });
    return post(channel, `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n`, body);
  };

  it('requests answered at once are all answered, in order, on one connection', async () => {
    expect(responsesOf(await send(health.repeat(3), true)).map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it('a request behind a publish closes the connection; retried with their keys, each event is there once', async () => {
    const channel = 'wire/pipelined';
    const pipelined = await send(keyed(channel, 'first') + keyed(channel, 'second')); // no half-close: the edge closes by itself
    expect(pipelined.closedByServer).toBe(true);
    expect(responsesOf(pipelined)).toEqual([]);
    // 200: the edge had published it although it could not answer; 201: published now.
    for (const key of ['first', 'second']) {
      expect([[200], [201]]).toContainEqual(responsesOf(await rawRequest(edge().port, keyed(channel, key), { until: oneResponse })).map((r) => r.status));
    }
    expect(await history(edge(), channel)).toMatchObject([{ data: 'first' }, { data: 'second' }]);
  });
});

describe('after all of the above', () => {
  it('the node still serves: health, readiness and a publish', async () => {
    expect((await fetch(`${edge().url}/healthz`)).status).toBe(200);
    expect((await fetch(`${edge().url}/readyz`)).status).toBe(200);
    expect((await fetch(`${edge().url}/v1/channels/wire/after/events`, { method: 'POST', body: 'still here' })).status).toBe(201);
  });

  it('it logged nothing at error or fatal level', () => {
    expect(edge().logs.filter((line) => /"level":"(error|fatal)"/.test(line))).toEqual([]);
  });
});
