import { encodeCursor } from '@tidings/protocol';
import mqttPacket, { type Packet } from 'mqtt-packet';

// What the fuzzer throws at an edge: requests and frames built from the real routes and valid
// bodies, then mutated. Everything comes from one seeded generator, so a seed replays a run.

/** A seeded PRNG (xorshift32 with a multiply on the way out): the same seed, the same inputs. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x2545f491;
  }

  /** In [0, 1). */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return (Math.imul(this.state, 0x9e3779b1) >>> 0) / 2 ** 32;
  }

  /** An integer in [0, below). */
  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bytes(count: number): Buffer {
    return Buffer.from(Array.from({ length: count }, () => this.int(256)));
  }
}

/** Text that breaks things: separators, escapes, control bytes, bytes that are not UTF-8, length. */
const NASTY = ['/', '+', '#', '{', '}', '%', '%00', '%0A', '%0D%0A', '%FF', '%2F', '%25', '\0', '\r\n', '\n', ' ', '\t', '\x7f', 'é', '\u2028', '..', '*', '?', '&', '=', '"', '\\', 'x'.repeat(300)];

/** Inserts, deletes or replaces a few pieces of `text`. */
export function mutateText(rng: Rng, text: string): string {
  let out = text;
  for (let edits = 1 + rng.int(3); edits > 0; edits--) {
    const at = rng.int(out.length + 1);
    const piece = rng.chance(0.8) ? rng.pick(NASTY) : String.fromCharCode(rng.int(0x3000));
    const cut = rng.chance(0.4) ? 1 + rng.int(4) : 0;
    out = out.slice(0, at) + piece + out.slice(at + cut);
  }
  return out;
}

/** Flips, truncates, splices in random or invalid UTF-8 bytes, or repeats a slice of `body`. */
export function mutateBytes(rng: Rng, body: Buffer): Buffer {
  let out = Buffer.from(body);
  for (let edits = 1 + rng.int(3); edits > 0; edits--) {
    const at = rng.int(out.length + 1);
    switch (rng.int(6)) {
      case 0:
        if (out.length > 0) out[Math.min(at, out.length - 1)]! ^= 1 << rng.int(8);
        break;
      case 1:
        out = out.subarray(0, at);
        break;
      case 2:
        out = Buffer.concat([out.subarray(0, at), rng.bytes(1 + rng.int(8)), out.subarray(at)]);
        break;
      case 3:
        out = Buffer.concat([out.subarray(0, at), Buffer.from(rng.pick([[0xc3, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xff], [0xf4, 0x90, 0x80, 0x80]])), out.subarray(at)]);
        break;
      case 4:
        out = Buffer.concat([out.subarray(0, at), out.subarray(rng.int(at + 1), at), out.subarray(at)]);
        break;
      default:
        out = Buffer.from(mutateText(rng, out.toString('latin1')), 'latin1');
    }
  }
  return out;
}

const CHANNELS = ['fuzz', 'fuzz/a', 'fuzz/a/b', 'news/uk:1', 'x@y.z_-'];
const PATTERNS = ['fuzz/+', 'fuzz/#', '#', '+/a', '+/+/b'];

export function channel(rng: Rng, wildcards = false): string {
  const base = rng.pick(wildcards && rng.chance(0.4) ? PATTERNS : CHANNELS);
  return rng.chance(0.5) ? mutateText(rng, base) : base;
}

export function streamId(rng: Rng): string {
  const base = rng.pick(['0-0', '1-0', `${1_790_000_000_000 + rng.int(10_000_000_000)}-0`, '9007199254740991-9007199254740991']);
  return rng.chance(0.4) ? mutateText(rng, base) : base;
}

export function cursor(rng: Rng): string {
  const base = encodeCursor({ floor: '0-0', positions: new Map([[rng.pick(CHANNELS), `${rng.int(2 ** 31)}-${rng.int(10)}`]]) });
  return rng.chance(0.5) ? mutateText(rng, base) : base;
}

export function device(rng: Rng): string {
  const base = rng.pick(['d1', 'phone:1', 'a@b.c']);
  return rng.chance(0.4) ? mutateText(rng, base) : base;
}

/** A JSON value of some kind, sometimes deep or large. */
export function jsonValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 3 ? 5 : 8)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1.5, 1e308, Number.MAX_SAFE_INTEGER + 2]);
    case 3:
      return mutateText(rng, 'text');
    case 4:
      return rng.chance(0.1) ? 'x'.repeat(5000) : '';
    case 5:
      return Array.from({ length: rng.int(4) }, () => jsonValue(rng, depth + 1));
    case 6:
      return Object.fromEntries(Array.from({ length: rng.int(4) }, (_, i) => [rng.pick(['k', 'data', '__proto__', 'constructor', `k${i}`]), jsonValue(rng, depth + 1)]));
    default:
      return rng.chance(0.3) ? JSON.parse(`${'['.repeat(60)}${']'.repeat(60)}`) : {};
  }
}

/** A valid object of this shape, then maybe a key dropped, added or given another value. */
function mutateObject(rng: Rng, valid: Record<string, unknown>): Record<string, unknown> {
  const out = { ...valid };
  const keys = Object.keys(out);
  if (rng.chance(0.3) && keys.length > 0) delete out[rng.pick(keys)];
  if (rng.chance(0.3)) out[rng.pick(['extra', 'ref', 'type', ...keys])] = jsonValue(rng);
  if (rng.chance(0.3) && keys.length > 0) out[rng.pick(keys)] = jsonValue(rng);
  return out;
}

function publishBody(rng: Rng): Record<string, unknown> {
  return { data: jsonValue(rng), ...(rng.chance(0.5) ? { event: rng.chance(0.7) ? 'update' : mutateText(rng, 'update') } : {}), ...(rng.chance(0.2) ? { ack: true } : {}), ...(rng.chance(0.2) ? { idempotencyKey: mutateText(rng, 'key-1') } : {}) };
}

type BodyKind = 'publish' | 'batch' | 'receipt' | 'text';

/** A body of this kind (or, now and then, of another), valid, then mutated or not. */
function body(rng: Rng, kind: BodyKind): Buffer {
  const valid = {
    publish: () => publishBody(rng),
    batch: () => ({ events: Array.from({ length: 1 + rng.int(3) }, () => ({ channel: channel(rng), ...publishBody(rng) })) }),
    receipt: () => ({ device: device(rng), status: rng.pick(['received', 'processed', 'failed', 'lost']) }),
    text: () => mutateText(rng, 'hello'),
  }[rng.chance(0.8) ? kind : rng.pick<BodyKind>(['publish', 'batch', 'receipt', 'text'])]();
  const shaped = typeof valid === 'string' ? valid : JSON.stringify(rng.chance(0.4) ? mutateObject(rng, valid) : valid);
  const bytes = Buffer.from(shaped ?? 'null');
  return rng.chance(0.4) ? mutateBytes(rng, bytes) : bytes;
}

interface Route {
  readonly target: string;
  /** The methods it answers to. */
  readonly methods: readonly string[];
  /** What it reads when it takes a body. */
  readonly body: BodyKind;
}

/** One of the real routes, its channel, ids and query mutated. */
function route(rng: Rng): Route {
  const c = () => (rng.chance(0.9) ? encodeURIComponent(channel(rng)) : channel(rng));
  const query = (keys: readonly string[]) => {
    const params = keys.filter(() => rng.chance(0.6)).map((key) => `${key}=${encodeURIComponent(valueFor(rng, key))}`);
    if (rng.chance(0.2)) params.push(`${mutateText(rng, 'x')}=${mutateText(rng, 'y')}`);
    return params.length > 0 ? `?${params.join('&')}` : '';
  };
  return rng.pick<() => Route>([
    () => ({ target: `/v1/channels/${c()}/events${query(['since', 'limit'])}`, methods: ['POST', 'POST', 'GET'], body: rng.pick<BodyKind>(['publish', 'text']) }),
    () => ({ target: `/v1/channels/${c()}/events/${streamId(rng)}/receipts${query(['limit', 'after'])}`, methods: ['POST', 'GET'], body: 'receipt' }),
    () => ({ target: `/v1/channels/${c()}/presence`, methods: ['GET'], body: 'text' }),
    () => ({ target: '/v1/publish', methods: ['POST'], body: 'batch' }),
    () => ({ target: `/v1/sse${query(['channel', 'channel', 'lastEventId', 'device', 'presence', 'uniform'])}`, methods: ['GET'], body: 'text' }),
    () => ({ target: `/v1/poll${query(['channel', 'since', 'timeout', 'device'])}`, methods: ['GET'], body: 'text' }),
    () => ({ target: rng.pick(['/healthz', '/readyz', '/metrics', '/v1/admin/nodes', '/v1/admin/connections', '/', '/v1', '/v1/channels/']), methods: ['GET'], body: 'text' }),
    () => ({ target: mutateText(rng, '/v1/channels/fuzz/events'), methods: ['POST', 'GET'], body: 'publish' }),
  ])();
}

function valueFor(rng: Rng, key: string): string {
  switch (key) {
    case 'channel':
      return channel(rng, true);
    case 'since':
    case 'lastEventId':
      return rng.chance(0.5) ? cursor(rng) : streamId(rng);
    case 'device':
      return device(rng);
    case 'timeout':
      return rng.chance(0.8) ? '0' : mutateText(rng, '1');
    default:
      return rng.chance(0.7) ? rng.pick(['1', '0', '10', '1000']) : mutateText(rng, '5');
  }
}

export interface FuzzRequest {
  readonly method: string;
  readonly bytes: Buffer;
}

/** A whole HTTP/1.1 request: method, target, headers (now and then ambiguous or many) and body. */
export function httpRequest(rng: Rng): FuzzRequest {
  if (rng.chance(0.03)) return { method: '(bytes)', bytes: rng.bytes(1 + rng.int(200)) };
  const { target, methods, body: kind } = route(rng);
  const method = rng.chance(0.8) ? rng.pick(methods) : rng.chance(0.8) ? rng.pick(['GET', 'POST', 'OPTIONS', 'HEAD', 'PUT', 'DELETE']) : mutateText(rng, 'PATCH');
  const payload = method === 'POST' || rng.chance(0.05) ? body(rng, kind) : Buffer.alloc(0);
  const headers = [`Host: ${rng.chance(0.95) ? 'x' : mutateText(rng, 'x')}`];
  if (rng.chance(0.7)) headers.push(`Content-Type: ${rng.pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/cloudevents+json; charset=utf-8', mutateText(rng, 'application/json')])}`);
  if (rng.chance(0.2)) headers.push(`Last-Event-ID: ${rng.chance(0.6) ? cursor(rng) : streamId(rng)}`);
  if (rng.chance(0.1)) headers.push(`Origin: ${mutateText(rng, 'https://app.example')}`);
  if (rng.chance(0.1)) headers.push(...Array.from({ length: rng.int(60) }, (_, i) => `X-F${i}: ${mutateText(rng, 'v')}`));
  let framed = payload;
  if (rng.chance(0.1)) {
    headers.push('Transfer-Encoding: chunked');
    framed = Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n0\r\n\r\n')]);
  } else if (payload.length > 0 || rng.chance(0.2)) {
    const length = rng.chance(0.9) ? payload.length : rng.int(payload.length + 10);
    headers.push(`Content-Length: ${length}`);
    if (rng.chance(0.05)) headers.push(`Content-Length: ${length + 1}`);
  }
  const head = `${method} ${target} HTTP/1.1\r\n${headers.map((h) => (rng.chance(0.02) ? mutateText(rng, h) : h)).join('\r\n')}\r\n\r\n`;
  return { method, bytes: Buffer.concat([Buffer.from(head, 'latin1'), framed]) };
}

/** A client frame: a valid one of some type, often mutated as an object or as text. */
export function wsFrame(rng: Rng): { readonly data: Buffer; readonly binary: boolean } {
  if (rng.chance(0.05)) return { data: rng.bytes(1 + rng.int(64)), binary: true };
  const valid = rng.pick([
    () => ({ type: 'ping', ref: rng.int(100) }),
    () => ({ type: 'subscribe', channel: channel(rng, true), ...(rng.chance(0.3) ? { since: rng.chance(0.5) ? cursor(rng) : streamId(rng) } : {}), ...(rng.chance(0.2) ? { device: device(rng) } : {}), ...(rng.chance(0.1) ? { presence: true } : {}) }),
    () => ({ type: 'unsubscribe', channel: channel(rng, true) }),
    () => ({ type: 'publish', channel: channel(rng), ...publishBody(rng) }),
    () => ({ type: 'ack', channel: channel(rng), id: streamId(rng), ...(rng.chance(0.5) ? { status: rng.pick(['received', 'processed', 'failed', 'lost']) } : {}) }),
  ])();
  const text = Buffer.from(JSON.stringify(rng.chance(0.4) ? mutateObject(rng, valid) : valid) ?? 'null');
  return { data: rng.chance(0.25) ? mutateBytes(rng, text) : text, binary: false };
}

/** Bytes after a WebSocket handshake that are not well-formed frames: bad bits, lengths, masks, opcodes. */
export function rawWsBytes(rng: Rng): Buffer {
  const payload = rng.chance(0.5) ? Buffer.from('{"type":"ping"}') : rng.bytes(rng.int(40));
  const first = rng.pick([0x81, 0x82, 0x01, 0x00, 0x80, 0x83, 0x8b, 0x89, 0x88, 0xc1, 0xb1]) | (rng.chance(0.1) ? 0x70 : 0);
  const masked = rng.chance(0.9);
  const length = rng.chance(0.8) ? payload.length : rng.pick([126, 127, 65_536, 2 ** 31]);
  const lengthBytes = length < 126 ? Buffer.from([(masked ? 0x80 : 0) | length]) : length < 65_536 ? Buffer.from([(masked ? 0x80 : 0) | 126, length >> 8, length & 0xff]) : Buffer.concat([Buffer.from([(masked ? 0x80 : 0) | 127]), Buffer.from(BigInt(length).toString(16).padStart(16, '0'), 'hex')]);
  const key = rng.bytes(4);
  const body = masked ? Buffer.from(payload.map((b, i) => b ^ key[i % 4]!)) : payload;
  const frame = Buffer.concat([Buffer.from([first]), lengthBytes, masked ? key : Buffer.alloc(0), body]);
  return rng.chance(0.2) ? mutateBytes(rng, frame) : frame;
}

/**
 * One MQTT connection's bytes: usually a CONNECT first, then valid packets of every kind a client
 * sends (with fuzzed topics, ids and QoS), some mutated, some plain garbage, cut at random points
 * so packets span WebSocket messages or share one.
 */
export function mqttMessages(rng: Rng): { readonly version: 4 | 5; readonly messages: Buffer[] } {
  const version = rng.pick([4, 5] as const);
  const topic = () => (rng.chance(0.2) ? mutateText(rng, channel(rng, true)) : rng.chance(0.1) ? `/${channel(rng)}` : channel(rng, rng.chance(0.5)));
  const qos = () => rng.pick([0, 1, 2] as const);
  const packets: Packet[] = [];
  if (rng.chance(0.9)) packets.push({ cmd: 'connect', protocolVersion: version, clientId: rng.chance(0.5) ? device(rng) : '', clean: rng.chance(0.5), keepalive: 60 });
  for (let i = rng.int(12); i > 0; i--) {
    packets.push(
      rng.pick<() => Packet>([
        () => ({ cmd: 'subscribe', messageId: 1 + rng.int(65_535), subscriptions: Array.from({ length: 1 + rng.int(3) }, () => ({ topic: topic(), qos: qos() })) }),
        () => ({ cmd: 'unsubscribe', messageId: 1 + rng.int(65_535), unsubscriptions: [topic()] }),
        () => ({ cmd: 'publish', topic: topic(), payload: Buffer.from(JSON.stringify(jsonValue(rng)) ?? ''), qos: qos(), dup: false, retain: rng.chance(0.1), messageId: 1 + rng.int(65_535) }),
        () => ({ cmd: 'puback', messageId: 1 + rng.int(65_535) }),
        () => ({ cmd: 'pingreq' }),
        () => ({ cmd: rng.pick(['pubrel', 'pubrec', 'pubcomp'] as const), messageId: 1 + rng.int(65_535) }),
        () => ({ cmd: 'connect', protocolVersion: version, clientId: device(rng), clean: true, keepalive: 0 }),
      ])(),
    );
  }
  const encoded = packets.map((packet) => {
    let bytes: Buffer;
    try {
      bytes = mqttPacket.generate(packet, { protocolVersion: version });
    } catch {
      bytes = rng.bytes(1 + rng.int(16)); // a packet the codec will not even write (a mutated topic): garbage in its place
    }
    return rng.chance(0.15) ? mutateBytes(rng, bytes) : bytes;
  });
  if (rng.chance(0.2)) encoded.push(rng.bytes(1 + rng.int(64)));
  const all = Buffer.concat(encoded);
  const messages: Buffer[] = [];
  for (let at = 0; at < all.length; ) {
    const size = rng.chance(0.7) ? all.length - at : 1 + rng.int(all.length - at);
    messages.push(all.subarray(at, at + size));
    at += size;
  }
  return { version, messages };
}
