// MQTT over WebSocket (ADR 14): real MQTT.js clients on `/mqtt` of real edges sharing one Redis,
// beside SSE pages and HTTP publishers on the same channels.
import { type EdgeProcess, SseClient, startEdge, waitUntil } from '@tidings/testing';
import { SignJWT } from 'jose';
import mqtt, { type IClientOptions, type IConnackPacket, type MqttClient, type Packet } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { edgesOnRedis, metric, publish } from './support.js';

const cluster = edgesOnRedis(2);
const mqttUrl = (edge: EdgeProcess): string => `${edge.url.replace(/^http/, 'ws')}/mqtt`;

const clients: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
});

/** An MQTT.js client, connected; it never reconnects by itself, so every test sees exactly what the edge did. */
async function connect(edge: EdgeProcess, options: IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(mqttUrl(edge), { reconnectPeriod: 0, connectTimeout: 10_000, ...options });
  clients.push(client);
  return client;
}

/** Connects with its inbox open from the start (a resumed session's events may follow the CONNACK at once) and keeps the CONNACK. */
async function connectWithInbox(edge: EdgeProcess, options: IClientOptions): Promise<{ client: MqttClient; connack: IConnackPacket; got: ReturnType<typeof inbox> }> {
  const client = mqtt.connect(mqttUrl(edge), { reconnectPeriod: 0, connectTimeout: 10_000, ...options });
  clients.push(client);
  const got = inbox(client);
  const connack = await new Promise<IConnackPacket>((resolve, reject) => client.once('connect', resolve).once('error', reject));
  return { client, connack, got };
}

/** Messages as they arrive: topic and payload text, plus the PUBLISH packet. */
function inbox(client: MqttClient): { topic: string; text: string; packet: Packet & { qos?: number; dup?: boolean } }[] {
  const got: { topic: string; text: string; packet: Packet }[] = [];
  client.on('message', (topic, payload, packet) => got.push({ topic, text: payload.toString(), packet }));
  return got;
}

/** The SUBACK codes the edge answers to one SUBSCRIBE of `filters`. */
async function subackCodes(client: MqttClient, filters: string[]): Promise<number[]> {
  const suback = new Promise<number[]>((resolve) => {
    const onPacket = (packet: Packet): void => {
      if (packet.cmd !== 'suback') return;
      client.off('packetreceive', onPacket);
      resolve(packet.granted as number[]);
    };
    client.on('packetreceive', onPacket);
  });
  client.subscribe(filters, { qos: 1 }, () => undefined); // MQTT.js reports a refused filter as an error: the codes are what matters here
  return suback;
}

describe('MQTT over WebSocket', () => {
  it('delivers an HTTP publish on another edge to a wildcard MQTT subscription, in order', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const client = await connect(a);
    const got = inbox(client);
    const granted = await client.subscribeAsync('news/+/sport', { qos: 0 });
    expect(granted.map((g) => g.qos)).toEqual([0]);
    await publish(b, 'news/eu/sport', 'goal');
    await publish(b, 'news/eu/politics', 'not for this filter');
    await publish(b, 'news/us/sport', { score: [1, 0] });
    await waitUntil(() => got.length >= 2, 'both sport events');
    expect(got.map((m) => [m.topic, m.text])).toEqual([
      ['news/eu/sport', 'goal'],
      ['news/us/sport', '{"score":[1,0]}'],
    ]);
  });

  it('gives a new subscriber the channel’s newest event as its retained message, then what follows', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    await publish(b, 'retained/lamp', 'off');
    await publish(b, 'retained/lamp', 'on');
    const client = await connect(a);
    const got = inbox(client);
    await client.subscribeAsync('retained/lamp', { qos: 1 });
    await publish(b, 'retained/lamp', 'dim');
    await waitUntil(() => got.length === 2, 'the retained message and the live one');
    expect(got.map((m) => [m.text, m.packet.cmd === 'publish' && m.packet.retain])).toEqual([
      ['on', true],
      ['dim', false],
    ]);
  });

  it('gives a wildcard filter the newest event of each matching channel as retained messages, then what follows', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    await publish(b, 'wret/lamp/state', 'off');
    await publish(b, 'wret/fan/state', 'slow');
    await publish(b, 'wret/lamp/state', 'on');
    await publish(b, 'wret/lamp/power', 'not matched');
    const client = await connect(a);
    const got = inbox(client);
    await client.subscribeAsync('wret/+/state', { qos: 1 });
    await publish(b, 'wret/fan/state', 'fast');
    await waitUntil(() => got.length === 3, 'two retained messages and the live one');
    expect(got.map((m) => [m.topic, m.text, m.packet.cmd === 'publish' && m.packet.retain])).toEqual([
      ['wret/fan/state', 'slow', true],
      ['wret/lamp/state', 'on', true],
      ['wret/fan/state', 'fast', false],
    ]);
  });

  it('takes a QoS 1 publish into the channel, PUBACKs it, and an SSE page on another edge gets it', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const page = await SseClient.connect(`${b.url}/v1/sse?channel=sensors/kitchen`);
    try {
      const device = await connect(a, { clientId: 'thermo-1' });
      await device.publishAsync('sensors/kitchen', JSON.stringify({ celsius: 21.5 }), { qos: 1 }); // resolves on PUBACK
      await device.publishAsync('sensors/kitchen', 'plain text', { qos: 0 });
      const first = JSON.parse((await page.nextEvent((e) => e.event === 'message')).data) as { channel: string; data: unknown };
      const second = JSON.parse((await page.nextEvent((e) => e.event === 'message')).data) as { data: unknown };
      expect(first).toMatchObject({ channel: 'sensors/kitchen', data: { celsius: 21.5 } });
      expect(second.data).toBe('plain text');
      expect(await metric(a, 'tidings_edge_published_events_total{transport="mqtt"')).toBe(2);
    } finally {
      page.close();
    }
  });

  it('records the PUBACK of an ack event as the device’s receipt', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const device = await connect(a, { clientId: 'fleet-mqtt-7', clean: false });
    const got = inbox(device);
    await device.subscribeAsync('fleet/7/commands', { qos: 2 }); // asked QoS 2, granted 1
    const res = await fetch(`${b.url}/v1/channels/fleet%2F7%2Fcommands/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: 'reboot', ack: true }),
    });
    const { id, expected } = (await res.json()) as { id: string; expected: number };
    expect(expected).toBe(1);
    await waitUntil(() => got.length === 1, 'the command');
    expect(got[0]!.packet.qos).toBe(1);
    await waitUntil(async () => {
      const receipts = (await (await fetch(`${b.url}/v1/channels/fleet%2F7%2Fcommands/events/${id}/receipts`)).json()) as { devices: { device: string; state: string }[] };
      return receipts.devices.find((d) => d.device === 'fleet-mqtt-7')?.state === 'received';
    }, 'the receipt from the PUBACK');
  });

  it('resumes a persistent session whose client subscribes again anyway, wildcard included, without loss', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const first = await connect(a, { clientId: 'resumer-1', clean: false });
    await first.subscribeAsync(['resume/one', 'resume/+/feed'], { qos: 1 });
    await first.endAsync();
    await publish(b, 'resume/one', 'while away 1');
    await publish(b, 'resume/x/feed', 'while away 2');
    const { client: again, got } = await connectWithInbox(b, { clientId: 'resumer-1', clean: false });
    await again.subscribeAsync(['resume/one', 'resume/+/feed'], { qos: 1 });
    await waitUntil(() => new Set(got.map((m) => m.text)).size === 2, 'what was published while away');
    expect([...new Set(got.map((m) => m.text))].sort()).toEqual(['while away 1', 'while away 2']); // at least once: a repeat is allowed
  });

  it('keeps a persistent session’s subscriptions: a reconnect to another edge is session-present and misses nothing, without subscribing again', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    for (const [version, options] of [
      [4, { clean: false }],
      [5, { clean: false, properties: { sessionExpiryInterval: 3600 } }],
    ] as const) {
      const id = `kept-${version}`;
      const first = await connect(a, { clientId: id, protocolVersion: version, ...options });
      await first.subscribeAsync({ [`kept${version}/one`]: { qos: 1 }, [`kept${version}/+/feed`]: { qos: 0 } });
      await first.endAsync();
      await publish(b, `kept${version}/one`, 'while away 1');
      await publish(b, `kept${version}/x/feed`, 'while away 2');
      const { connack, got } = await connectWithInbox(b, { clientId: id, protocolVersion: version, resubscribe: false, ...options });
      expect(connack.sessionPresent).toBe(true);
      await publish(a, `kept${version}/one`, 'after');
      await waitUntil(() => got.length === 3, 'what was published while away, then live');
      expect(got.filter((m) => m.topic === `kept${version}/one`).map((m) => [m.text, m.packet.qos])).toEqual([
        ['while away 1', 1],
        ['after', 1],
      ]);
      expect(got.filter((m) => m.topic !== `kept${version}/one`).map((m) => [m.topic, m.text, m.packet.qos])).toEqual([[`kept${version}/x/feed`, 'while away 2', 0]]);
    }
  });

  it('forgets a session’s subscriptions on UNSUBSCRIBE and on a clean start', async () => {
    const [a, b] = cluster.edges as [EdgeProcess, EdgeProcess];
    const first = await connect(a, { clientId: 'forgetful', clean: false });
    await first.subscribeAsync(['forget/a', 'forget/b'], { qos: 1 });
    await first.unsubscribeAsync('forget/a');
    await first.endAsync();
    await publish(b, 'forget/a', 'not kept');
    await publish(b, 'forget/b', 'kept');
    const { client: second, connack, got } = await connectWithInbox(b, { clientId: 'forgetful', clean: false, resubscribe: false });
    expect(connack.sessionPresent).toBe(true);
    await waitUntil(() => got.length === 1, 'the kept filter’s event');
    expect(got.map((m) => m.text)).toEqual(['kept']);
    await second.endAsync();
    await connect(a, { clientId: 'forgetful', clean: true }).then((c) => c.endAsync());
    const { connack: afterClean } = await connectWithInbox(a, { clientId: 'forgetful', clean: false, resubscribe: false });
    expect(afterClean.sessionPresent).toBe(false);
  });

  it('refuses topics that are not channels, with each version’s codes, and keeps the rest', async () => {
    const [a] = cluster.edges as [EdgeProcess];
    const v311 = await connect(a, { protocolVersion: 4 });
    expect(await subackCodes(v311, ['/news/+/sport', 'news/+/sport', 'news//x'])).toEqual([0x80, 1, 0x80]);
    const v5 = await connect(a, { protocolVersion: 5 });
    expect(await subackCodes(v5, ['/news/+/sport', 'news/#'])).toEqual([0x8f, 1]);
    await expect(v5.publishAsync('/news/eu', 'x', { qos: 1 })).rejects.toMatchObject({ code: 0x90 });
    await v5.publishAsync('news/ok', 'still connected', { qos: 1 });
  });

  it('refuses a QoS 2 publish: 5.0 hears DISCONNECT 0x9B (QoS not supported)', async () => {
    const [a] = cluster.edges as [EdgeProcess];
    const v5 = await connect(a, { protocolVersion: 5 });
    const disconnect = new Promise<number | undefined>((resolve) => v5.once('disconnect', (packet) => resolve(packet.reasonCode)));
    v5.publish('news/ok', 'exactly once?', { qos: 2 }, () => undefined);
    expect(await disconnect).toBe(0x9b);
  });

  it('refuses a client id outside the device-id alphabet', async () => {
    const [a] = cluster.edges as [EdgeProcess];
    await expect(mqtt.connectAsync(mqttUrl(a), { reconnectPeriod: 0, clientId: 'has space', protocolVersion: 4 })).rejects.toMatchObject({ code: 2 });
    await expect(mqtt.connectAsync(mqttUrl(a), { reconnectPeriod: 0, clientId: 'has{brace}', protocolVersion: 5 })).rejects.toMatchObject({ code: 0x85 });
  });

  it('closes only the connection that sends garbage, and the node keeps serving', async () => {
    const [a] = cluster.edges as [EdgeProcess];
    const bystander = await connect(a);
    const got = inbox(bystander);
    await bystander.subscribeAsync('garbage/after', { qos: 0 });
    const raw = new WebSocket(mqttUrl(a), 'mqtt');
    await new Promise((resolve, reject) => raw.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => raw.once('close', resolve));
    raw.send(Buffer.from([0xf0, 0xff, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3]));
    expect(await closed).toBe(4500);
    await publish(a, 'garbage/after', 'still here');
    await waitUntil(() => got.length === 1, 'the bystander’s event');
    expect((await fetch(`${a.url}/healthz`)).status).toBe(200);
  });

  it('refuses an upgrade that offers no MQTT subprotocol', async () => {
    const [a] = cluster.edges as [EdgeProcess];
    const raw = new WebSocket(mqttUrl(a), 'chat');
    const status = await new Promise<number>((resolve) => raw.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(400);
  });
});

describe('MQTT lost-event notices', () => {
  let short: EdgeProcess;
  beforeAll(async () => {
    short = await startEdge({ redisUrl: cluster.redis.url, args: ['--retention-max-length', '3'] });
  });
  afterAll(async () => short?.stop());

  it('tells a resumed session what retention dropped while it was away, on $tidings/reset, before what is left', async () => {
    const [a] = cluster.edges as [EdgeProcess];
    for (const version of [4, 5] as const) {
      const channel = `lossy/v${version}`;
      const first = await connect(a, { clientId: `lossy-${version}`, clean: false, protocolVersion: version, properties: { sessionExpiryInterval: 3600 } });
      await first.subscribeAsync(channel, { qos: 1 });
      await first.endAsync();
      for (let i = 1; i <= 6; i++) await publish(short, channel, `event ${i}`); // the stream keeps the last 3
      const { got } = await connectWithInbox(a, { clientId: `lossy-${version}`, clean: false, resubscribe: false, protocolVersion: version, properties: { sessionExpiryInterval: 3600 } });
      await waitUntil(() => got.length === 4, 'the notice and what is left');
      const [notice, ...rest] = got;
      expect(notice!.topic).toBe('$tidings/reset');
      expect(JSON.parse(notice!.text)).toMatchObject({ channel, subscription: channel, reason: 'retention', lostFrom: expect.any(String), lostTo: expect.any(String) });
      if (version === 5) expect(notice!.packet.cmd === 'publish' && notice!.packet.properties?.userProperties).toEqual({ reason: 'retention' });
      expect(rest.map((m) => m.text)).toEqual(['event 4', 'event 5', 'event 6']);
    }
  });
});

describe('MQTT wills', () => {
  it('publishes the will of a connection that drops, and not of one that says DISCONNECT', async () => {
    const [a] = cluster.edges as [EdgeProcess];
    const page = await SseClient.connect(`${a.url}/v1/sse?channel=wills/lamp`);
    try {
      const polite = await connect(a, { will: { topic: 'wills/lamp', payload: Buffer.from('polite gone'), qos: 0, retain: false } });
      await polite.endAsync(); // DISCONNECT first
      await waitUntil(async () => (await metric(a, 'tidings_edge_connections{transport="mqtt"')) === 0, 'the polite connection to close');
      const rude = await connect(a, { will: { topic: 'wills/lamp', payload: Buffer.from('{"lamp":"offline"}'), qos: 0, retain: false } });
      rude.stream.destroy(); // no DISCONNECT
      const will = JSON.parse((await page.nextEvent((e) => e.event === 'message')).data) as { data: unknown };
      expect(will.data).toEqual({ lamp: 'offline' });
    } finally {
      page.close();
    }
  });
});

describe('MQTT keep-alive', () => {
  let edge: EdgeProcess;
  beforeAll(async () => {
    edge = await startEdge({ redisUrl: cluster.redis.url, args: ['--sse-heartbeat-seconds', '1'] }); // the tick that checks keep-alives
  });
  afterAll(async () => edge?.stop());

  it('closes a client silent past 1.5 × its keep-alive (5.0: DISCONNECT 0x8D) and publishes its will, while one that pings stays', async () => {
    const page = await SseClient.connect(`${edge.url}/v1/sse?channel=keepalive/lamp`);
    try {
      const pinging = await connect(edge, { protocolVersion: 4, keepalive: 1 }); // MQTT.js sends PINGREQ every second
      const silent = new WebSocket(mqttUrl(edge), 'mqtt');
      await new Promise((resolve, reject) => silent.once('open', resolve).once('error', reject));
      const packets: Packet[] = [];
      const parser = mqttPacket.parser({ protocolVersion: 5 });
      parser.on('packet', (packet: Packet) => packets.push(packet));
      silent.on('message', (bytes: Buffer) => parser.parse(bytes));
      const closed = new Promise<void>((resolve) => silent.once('close', () => resolve()));
      const will = { topic: 'keepalive/lamp', payload: Buffer.from('{"lamp":"silent"}'), qos: 0 as const, retain: false };
      silent.send(mqttPacket.generate({ cmd: 'connect', protocolVersion: 5, clientId: 'silent-lamp', clean: true, keepalive: 1, will }));
      await closed; // it sent nothing after CONNECT, not even PINGREQ; uWS's pings alone would have kept it
      expect(packets.map((p) => [p.cmd, 'reasonCode' in p ? p.reasonCode : undefined])).toEqual([['connack', 0], ['disconnect', 0x8d]]);
      expect((JSON.parse((await page.nextEvent((e) => e.event === 'message')).data) as { data: unknown }).data).toEqual({ lamp: 'silent' });
      expect(pinging.connected).toBe(true); // connected as long, with the same keep-alive
      await pinging.subscribeAsync('keepalive/still', { qos: 1 });
    } finally {
      page.close();
    }
  });
});

describe('MQTT with authentication', () => {
  const SECRET = 'an-hs256-secret-of-at-least-32-characters';
  let edge: EdgeProcess;
  beforeAll(async () => {
    edge = await startEdge({ redisUrl: cluster.redis.url, anonymous: false, env: { TIDINGS_AUTH_JWT_SECRET: SECRET } });
  });
  afterAll(async () => edge?.stop());

  const token = (sub: string): Promise<string> =>
    new SignJWT({ sub, exp: Math.floor(Date.now() / 1000) + 600, tidings: { subscribe: ['home/#'], publish: ['home/out'] } })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(SECRET));
  const refused = (options: IClientOptions) => mqtt.connectAsync(mqttUrl(edge), { reconnectPeriod: 0, protocolVersion: 4, ...options });

  it('takes a token as the password and refuses missing or bad credentials with the 3.1.1 codes', async () => {
    await expect(refused({})).rejects.toMatchObject({ code: 5 });
    await expect(refused({ username: 'u', password: 'not-a-token' })).rejects.toMatchObject({ code: 4 });
    await expect(refused({ clientId: 'phone-8', username: 'u', password: await token('phone-9') })).rejects.toMatchObject({ code: 2 });
  });

  it('speaks for the token’s sub and applies its grants', async () => {
    const client = await connect(edge, { clientId: 'phone-9', clean: false, username: 'u', password: await token('phone-9') });
    expect(await subackCodes(client, ['home/+/lights', 'office/#'])).toEqual([1, 0x80]);
    await client.publishAsync('home/out', 'allowed', { qos: 1 });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('home/in', 'not allowed', { qos: 1 }, () => undefined);
    await closed; // 3.1.1 has no negative PUBACK: the edge closes the connection
    const other = await connect(edge, { clientId: '', username: 'u', password: await token('phone-10') }); // an empty client id speaks for the sub
    await other.subscribeAsync('home/x', { qos: 1 });
  });
});
