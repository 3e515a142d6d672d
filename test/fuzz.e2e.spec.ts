import { CLOSE, ERRORS, isErrorCode } from '@tidings/protocol';
import { type EdgeProcess, SseClient, waitUntil, WsClient } from '@tidings/testing';
import { connect } from 'node:net';
import { describe, expect, it, onTestFailed } from 'vitest';
import WebSocket from 'ws';
import mqttPacket from 'mqtt-packet';
import { device, type FuzzRequest, httpRequest, mqttMessages, rawWsBytes, Rng, wsFrame } from './fuzz-inputs.js';
import { parseResponses, type RawReply, rawRequest, type RawResponse } from './raw-http.js';
import { edgesOnRedis, metric, publish, wsUrl } from './support.js';

// Throws random and mutated HTTP requests, WebSocket frames and MQTT packets (over WebSocket and TCP) at a live edge, from several
// connections at once, for TIDINGS_FUZZ_SECONDS (20 by default). Inputs come from one seed
// (TIDINGS_FUZZ_SEED), printed when the test fails; each finding also carries its input.

/** A number from the environment, then removed from it: the edge inherits it and refuses TIDINGS_ names it does not know. */
function takeEnv(name: string, fallback: number): number {
  const value = process.env[name];
  delete process.env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

const SECONDS = takeEnv('TIDINGS_FUZZ_SECONDS', 20);
const SEED = takeEnv('TIDINGS_FUZZ_SEED', 20_261_123);
/** Only a guard: a request still unanswered after this (a held poll, a body never finished) is left. */
const ANSWER_GUARD_MS = 1000;

const fixture = edgesOnRedis(1, () => ['--limits-max-body-bytes', '4096', '--limits-max-frame-bytes', '4096', '--limits-max-channels-per-connection', '16', '--mqtt-port', '0']);

/** Something the edge must never do, with the input that made it, to replay. */
interface Finding {
  readonly what: string;
  readonly input: string;
}

const SERVER_FRAME_TYPES = new Set(['event', 'subscribed', 'unsubscribed', 'reset', 'published', 'acked', 'error', 'presence', 'pong']);
/** The documented close codes (docs/errors.md), 1005 and 1006 for closes without a code; 1011 would be a bug. */
const CLOSE_CODES = new Set<number>([...Object.values(CLOSE).filter((code) => code !== CLOSE.INTERNAL_ERROR), 1005, 1006]);

/** What is wrong with a 4xx or 5xx answer, if anything: its body must be the error table's JSON. */
function errorAnswerProblem(status: number, body: string): string | undefined {
  if (status >= 500) return `answered ${status}: ${body.slice(0, 200)}`;
  let error: unknown;
  try {
    error = (JSON.parse(body) as { error?: unknown }).error;
  } catch {
    return `answered ${status} with a body that is not JSON: ${JSON.stringify(body.slice(0, 100))}`;
  }
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (!isErrorCode(code) || typeof message !== 'string') return `answered ${status} without {error:{code,message}}: ${body.slice(0, 200)}`;
  return ERRORS[code].status === status ? undefined : `answered ${status} with ${code}, which the error table gives ${ERRORS[code].status}`;
}

const isStreamHead = (bytes: Buffer) => /^HTTP\/1\.1 200 [^]*text\/event-stream[^]*\r\n\r\n/.test(bytes.toString('latin1'));

/**
 * What is wrong with what came back for one request, if anything. No answer at all is allowed
 * (uWS drops what it cannot parse), and so is one cut short by our own guard.
 */
function httpProblem(request: FuzzRequest, reply: RawReply): string | undefined {
  let parsed: { responses: RawResponse[]; rest: Buffer };
  try {
    parsed = parseResponses(reply.bytes, request.method === 'HEAD');
  } catch (error) {
    return `not HTTP: ${(error as Error).message}`;
  }
  const [response, ...more] = parsed.responses;
  if (more.length > 0) return `${parsed.responses.length} responses to one request`;
  if (!response) return parsed.rest.length > 0 && reply.closedByServer && !isStreamHead(parsed.rest) ? 'a response cut short by the server' : undefined;
  if (request.method === 'HEAD') {
    if (parsed.rest.length > 0) return `the answer to HEAD carries a body: ${JSON.stringify(parsed.rest.toString('latin1').slice(0, 80))}`;
    return response.status >= 500 ? `answered HEAD with ${response.status}` : undefined;
  }
  return response.status >= 400 ? errorAnswerProblem(response.status, response.body.toString('utf8')) : undefined;
}

/** A whole response, or the head of a stream (SSE), which never ends. */
const answered = (bytes: Buffer) => {
  try {
    const { responses, rest } = parseResponses(bytes);
    return responses.length > 0 || isStreamHead(rest);
  } catch {
    return true; // malformed: nothing more will mend it
  }
};

async function fuzzHttp(edge: EdgeProcess, rng: Rng, until: number, report: (f: Finding) => void): Promise<number> {
  let sent = 0;
  for (; Date.now() < until; sent++) {
    const request = httpRequest(rng);
    const reply = await rawRequest(edge.port, request.bytes, { until: answered, guardMs: ANSWER_GUARD_MS });
    const what = httpProblem(request, reply);
    if (what) report({ what, input: JSON.stringify(request.bytes.toString('latin1').slice(0, 400)) });
  }
  return sent;
}

/** One WebSocket session of mutated frames; what the server sent back is checked frame by frame. */
function wsSession(url: string, frames: readonly { data: Buffer; binary: boolean }[]): Promise<string[]> {
  return new Promise((resolve) => {
    const problems: string[] = [];
    let refused = false;
    const ws = new WebSocket(url);
    const guard = setTimeout(() => ws.terminate(), 5000);
    ws.on('unexpected-response', (_req, res) => {
      refused = true;
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => {
        const what = (res.statusCode ?? 0) >= 400 ? errorAnswerProblem(res.statusCode ?? 0, body) : `upgrade answered ${res.statusCode}`;
        if (what) problems.push(what);
        ws.terminate();
      });
    });
    ws.on('open', () => {
      for (const frame of frames) ws.send(frame.data, { binary: frame.binary });
      ws.send(JSON.stringify({ type: 'ping', ref: 'last' }));
    });
    ws.on('message', (data: Buffer, isBinary) => {
      let frame: { type?: unknown; code?: unknown; ref?: unknown } | undefined;
      try {
        frame = isBinary ? undefined : (JSON.parse(data.toString('utf8')) as typeof frame);
      } catch {
        frame = undefined;
      }
      if (!frame || typeof frame.type !== 'string' || !SERVER_FRAME_TYPES.has(frame.type)) problems.push(`sent a frame that is not one of ours: ${data.toString('latin1').slice(0, 100)}`);
      else if (frame.type === 'error' && !isErrorCode(frame.code)) problems.push(`sent an error frame with an unknown code: ${String(frame.code)}`);
      else if (frame.type === 'pong' && frame.ref === 'last') ws.close();
    });
    // The server may drop a connection mid-stream (a frame that is not UTF-8): our next write is then reset.
    ws.on('error', (error: NodeJS.ErrnoException) => refused || ['ECONNRESET', 'EPIPE'].includes(error.code ?? '') || problems.push(`client error: ${error.message}`));
    ws.on('close', (code) => {
      clearTimeout(guard);
      if (!refused && !CLOSE_CODES.has(code)) problems.push(`closed with ${code}, not a documented code`);
      resolve(problems);
    });
  });
}

async function fuzzWs(edge: EdgeProcess, rng: Rng, until: number, report: (f: Finding) => void): Promise<number> {
  let sent = 0;
  while (Date.now() < until) {
    const url = `${wsUrl(edge)}${rng.chance(0.3) ? `?device=${encodeURIComponent(device(rng))}` : ''}`;
    const frames = Array.from({ length: 1 + rng.int(30) }, () => wsFrame(rng));
    sent += frames.length;
    for (const what of await wsSession(url, frames)) report({ what, input: JSON.stringify({ url, frames: frames.map((f) => f.data.toString('latin1').slice(0, 100)) }).slice(0, 2000) });
  }
  return sent;
}

/** One MQTT-over-WebSocket session of fuzzed packets: the server may only send MQTT, in binary frames, and close with a documented code. */
function mqttSession(url: string, version: 4 | 5, messages: readonly Buffer[]): Promise<string[]> {
  return new Promise((resolve) => {
    const problems: string[] = [];
    const parser = mqttPacket.parser({ protocolVersion: version });
    parser.on('error', (error: Error) => problems.push(`the server sent bytes that are not MQTT: ${error.message}`));
    const ws = new WebSocket(url, 'mqtt');
    const guard = setTimeout(() => ws.terminate(), 1000); // a session the server keeps open is fine: it waits for more
    ws.on('open', () => {
      for (const message of messages) ws.send(message, { binary: true });
    });
    ws.on('message', (data: Buffer, isBinary) => (isBinary ? parser.parse(data) : problems.push('a text frame')));
    ws.on('error', (error: NodeJS.ErrnoException) => ['ECONNRESET', 'EPIPE'].includes(error.code ?? '') || problems.push(`client error: ${error.message}`));
    ws.on('close', (code) => {
      clearTimeout(guard);
      if (!CLOSE_CODES.has(code)) problems.push(`closed with ${code}`);
      resolve(problems);
    });
  });
}

async function fuzzMqtt(edge: EdgeProcess, rng: Rng, until: number, report: (f: Finding) => void): Promise<number> {
  let sent = 0;
  const url = `${edge.url.replace(/^http/, 'ws')}/mqtt`;
  while (Date.now() < until) {
    const { version, messages } = mqttMessages(rng);
    sent += messages.length;
    for (const what of await mqttSession(url, version, messages)) report({ what, input: JSON.stringify({ version, messages: messages.map((m) => m.toString('hex').slice(0, 200)) }).slice(0, 2000) });
  }
  return sent;
}

/** One MQTT-over-TCP session of the same fuzzed packets, cut at random points: the server may only answer MQTT. */
function mqttTcpSession(port: number, rng: Rng, version: 4 | 5, messages: readonly Buffer[]): Promise<string[]> {
  return new Promise((resolve) => {
    const problems: string[] = [];
    const parser = mqttPacket.parser({ protocolVersion: version });
    parser.on('error', (error: Error) => problems.push(`the server sent bytes that are not MQTT: ${error.message}`));
    const bytes = Buffer.concat(messages);
    const socket = connect(port, '127.0.0.1', () => {
      for (let at = 0; at < bytes.length; ) {
        const next = Math.min(bytes.length, at + 1 + rng.int(64));
        socket.write(bytes.subarray(at, next));
        at = next;
      }
    });
    const guard = setTimeout(() => socket.destroy(), 1000); // a session the server keeps open is fine: it waits for more
    socket.on('data', (chunk: Buffer) => parser.parse(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => ['ECONNRESET', 'EPIPE'].includes(error.code ?? '') || problems.push(`client error: ${error.message}`));
    socket.on('close', () => {
      clearTimeout(guard);
      resolve(problems);
    });
  });
}

async function fuzzMqttTcp(edge: EdgeProcess, rng: Rng, until: number, report: (f: Finding) => void): Promise<number> {
  let sent = 0;
  while (Date.now() < until) {
    const { version, messages } = mqttMessages(rng);
    sent += messages.length;
    for (const what of await mqttTcpSession(edge.mqttPort!, rng, version, messages)) report({ what, input: JSON.stringify({ tcp: true, version, messages: messages.map((m) => m.toString('hex').slice(0, 200)) }).slice(0, 2000) });
  }
  return sent;
}

const HANDSHAKE = 'GET /v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

/** Broken frames after a real handshake: the server may drop the connection, never misbehave otherwise. */
async function fuzzRawWs(edge: EdgeProcess, rng: Rng, until: number, report: (f: Finding) => void): Promise<number> {
  let sent = 0;
  for (; Date.now() < until; sent++) {
    const garbage = Buffer.concat(Array.from({ length: 1 + rng.int(5) }, () => rawWsBytes(rng)));
    const bytes = await new Promise<Buffer>((resolve) => {
      const socket = connect(edge.port, '127.0.0.1', () => socket.write(HANDSHAKE));
      const guard = setTimeout(() => socket.destroy(), 5000);
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => {
        if (chunks.length === 0) setTimeout(() => socket.destroy(), 300); // long enough for any answer to the garbage
        chunks.push(chunk);
        if (chunks.length === 1) socket.write(garbage);
      });
      socket.on('error', () => undefined); // a reset is one of the answers we look at below
      socket.on('close', () => {
        clearTimeout(guard);
        resolve(Buffer.concat(chunks));
      });
    });
    const closeCode = closeCodeIn(bytes);
    if (bytes.length > 0 && !bytes.toString('latin1').startsWith('HTTP/1.1 101 ')) report({ what: `the handshake was answered ${bytes.toString('latin1').slice(0, 40)}`, input: '' });
    else if (closeCode !== undefined && !CLOSE_CODES.has(closeCode)) report({ what: `closed with ${closeCode}`, input: JSON.stringify(garbage.toString('latin1')) });
  }
  return sent;
}

/** The code of the first close frame the server sent after its 101, if any. */
function closeCodeIn(bytes: Buffer): number | undefined {
  let at = bytes.indexOf('\r\n\r\n') + 4;
  while (at > 3 && at + 2 <= bytes.length) {
    const opcode = bytes[at]! & 0x0f;
    let length = bytes[at + 1]! & 0x7f;
    let start = at + 2;
    if (length === 126) [length, start] = [bytes.readUInt16BE(start), start + 2];
    else if (length === 127) [length, start] = [Number(bytes.readBigUInt64BE(start)), start + 8];
    if (opcode === 0x8) return length >= 2 ? bytes.readUInt16BE(start) : 1005;
    at = start + length;
  }
  return undefined;
}

describe('a fuzzed edge', () => {
  it(`takes ${SECONDS} s of random and mutated requests and frames, and stays up, correct and holding nothing`, async () => {
    const edge = fixture.edges[0]!;
    onTestFailed(() => console.error(`fuzz seed ${SEED}; replay with TIDINGS_FUZZ_SEED=${SEED} TIDINGS_FUZZ_SECONDS=${SECONDS}\nthe edge's last log lines:\n${edge.logs.slice(-20).join('\n')}`));
    let exited = false;
    void edge.exited.then(() => (exited = true));
    const findings: Finding[] = [];
    const report = (finding: Finding) => findings.length < 20 && findings.push(finding);
    const until = Date.now() + SECONDS * 1000;
    const rng = (worker: number) => new Rng(SEED * 100 + worker);
    const counts = await Promise.all([
      ...Array.from({ length: 24 }, (_, w) => fuzzHttp(edge, rng(w), until, report)),
      ...[24, 25].map((w) => fuzzWs(edge, rng(w), until, report)),
      fuzzRawWs(edge, rng(26), until, report),
      ...[27, 28].map((w) => fuzzMqtt(edge, rng(w), until, report)),
      fuzzMqttTcp(edge, rng(29), until, report),
    ]);
    expect(counts.every((count) => count > 0)).toBe(true);

    expect(exited).toBe(false);
    expect(findings).toEqual([]);
    expect((await fetch(`${edge.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${edge.url}/readyz`)).status).toBe(200);

    // A fresh subscriber still gets a fresh publish, over SSE and over WebSocket.
    const sse = await SseClient.connect(`${edge.url}/v1/sse?channel=after/fuzz`);
    const ws = await WsClient.connect(wsUrl(edge));
    ws.send({ type: 'subscribe', channel: 'after/fuzz' });
    await ws.next((f) => f.type === 'subscribed');
    const id = await publish(edge, 'after/fuzz', 'fresh');
    expect(JSON.parse((await sse.waitFor(1))[0]!.data)).toMatchObject({ id, data: 'fresh' });
    expect(await ws.next((f) => f.type === 'event')).toMatchObject({ id, data: 'fresh' });
    sse.close();
    ws.close();

    // Every fuzz connection is gone: the node holds no connection and no live feed for them.
    const connections = async (transport: string) => metric(edge, `tidings_edge_connections{transport="${transport}"`);
    await waitUntil(async () => (await connections('sse')) + (await connections('ws')) + (await connections('mqtt')) === 0, 'every connection to be released');
    await waitUntil(async () => (await metric(edge, 'tidings_broker_channel_feeds')) === 0, 'every live feed to be released');
    expect(edge.logs.filter((line) => /"level":"(error|fatal)"/.test(line))).toEqual([]);
  }, (SECONDS + 60) * 1000);
});
