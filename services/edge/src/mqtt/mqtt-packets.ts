// What each MQTT packet does (ADR 14): CONNECT opens a session, SUBSCRIBE becomes Tidings
// Subscriptions on the node's hub, PUBLISH a Tidings publish, a PUBACK of an ack event a receipt.
import { type Grant, mayPublish, maySubscribe } from '@tidings/auth';
import { type KeptQos, type LoggedEvent, Subscription } from '@tidings/core';
import { CLOSE, compareStreamIds, decodeUtf8Strict, EVENT_NAME_DEFAULT, isDeviceId, isTidingsError, type JsonValue, matchesPattern, parseJsonText, type Subscription as SubscriptionSpec, ZERO_ID } from '@tidings/protocol';
import { deviceFor, spendPublishBudget } from '../auth/auth.js';
import type { EdgeContext } from '../context.js';
import type { DeviceSession } from '../node/device-tracker.js';
import { publishEvent } from '../routes/publish-routes.js';
import { exactChannels, patternsOf, resumePoint } from '../routes/subscribe-request.js';
import type { IConnectPacket, IPublishPacket, ISubscribePacket, MqttVersion, Packet } from './mqtt-codec.js';
import type { MqttConnection } from './mqtt-connection.js';
import { connackCode, errorCodeOf, reasonCode, type Refusal, subackCode } from './mqtt-reason-codes.js';
import { MqttSink } from './mqtt-sink.js';
import { filterSpec, topicChannel } from './mqtt-topics.js';

/**
 * Handles one packet of a connection, after every packet before it. Not async itself, so no frame
 * of its own keeps the packet while a handler awaits; SUBSCRIBE's handler, which waits longest
 * (every subscription starts), takes only its filters from it.
 */
export function handlePacket(ctx: EdgeContext, conn: MqttConnection, packet: Packet): Promise<void> | void {
  if (!conn.grant) {
    if (packet.cmd === 'connect') return connect(ctx, conn, packet);
    return conn.end(CLOSE.PROTOCOL_ERRORS, 'the first packet must be CONNECT');
  }
  const grant = conn.grant;
  switch (packet.cmd) {
    case 'subscribe':
      return subscribe(ctx, conn, grant, packet.messageId ?? 0, packet.subscriptions.map(filterRequest));
    case 'unsubscribe':
      return unsubscribe(ctx, conn, packet.unsubscriptions, packet.messageId ?? 0);
    case 'publish':
      return publish(ctx, conn, grant, packet);
    case 'puback':
      return acknowledged(ctx, conn, packet.messageId ?? 0);
    case 'disconnect':
      conn.will = undefined; // a clean goodbye: the will is not published
      return conn.end(CLOSE.NORMAL, 'disconnected');
    default:
      // A second CONNECT, QoS 2 flow packets, AUTH, or packets only a server sends.
      return conn.refuse('malformed', `${packet.cmd.toUpperCase()} is not accepted here`);
  }
}

async function connect(ctx: EdgeContext, conn: MqttConnection, packet: IConnectPacket): Promise<void> {
  if (packet.protocolVersion !== 4 && packet.protocolVersion !== 5) {
    conn.send({ cmd: 'connack', returnCode: 0x01, sessionPresent: false }); // unacceptable protocol version, said in 3.1.1
    return conn.end(CLOSE.PROTOCOL_ERRORS, 'MQTT 3.1.1 or 5.0 only');
  }
  const version: MqttVersion = packet.protocolVersion;
  conn.version = version;
  const token = packet.password?.toString('utf8') || conn.handshakeToken;
  conn.handshakeToken = undefined;
  let grant: Grant;
  try {
    grant = await ctx.auth.grant(token);
  } catch (error) {
    if (!isTidingsError(error) || error.status >= 500) throw error;
    return refuseConnect(ctx, conn, token === undefined ? 'not-authorized' : 'bad-credentials', error.message);
  }
  if (conn.closed) return;
  const clientId = packet.clientId;
  if (clientId !== '' && !isDeviceId(clientId)) return refuseConnect(ctx, conn, 'client-id-invalid', 'client ids are device ids: 1-128 of A-Z a-z 0-9 _ . : @ -');
  let device: string | undefined;
  try {
    device = deviceFor(grant, clientId === '' ? undefined : clientId);
  } catch (error) {
    return refuseConnect(ctx, conn, 'client-id-invalid', isTidingsError(error) ? error.message : 'client id refused');
  }
  const persistent = version === 5 ? (packet.properties?.sessionExpiryInterval ?? 0) > 0 : packet.clean === false;
  if (persistent && device === undefined) return refuseConnect(ctx, conn, 'client-id-invalid', 'a persistent session needs a client id');
  if (packet.will) {
    const channel = topicChannel(packet.will.topic);
    if (channel === undefined) return refuseConnect(ctx, conn, 'topic-name-invalid', `will topic ${packet.will.topic} is not a channel`);
    if (!mayPublish(grant, channel)) return refuseConnect(ctx, conn, 'not-authorized', `these credentials may not publish on ${channel}`);
    const data = payloadData(ctx, packet.will.payload);
    if (data === undefined) return refuseConnect(ctx, conn, 'payload-invalid', 'the will payload must be UTF-8 text');
    conn.will = { channel, data };
  }
  try {
    conn.holdSlot(ctx.connectionLimits.acquire(grant.principal, undefined)); // counted by address since the upgrade
  } catch (error) {
    return refuseConnect(ctx, conn, 'unavailable', isTidingsError(error) ? error.message : 'too many connections');
  }
  // A persistent session that does not start clean finds the filters it kept (ADR 16); any other
  // connection naming a device ends what that device kept.
  const resumes = persistent && packet.clean === false;
  if (device !== undefined && !resumes) await ctx.devices.dropFilters(device, undefined);
  const kept = resumes ? await ctx.devices.keptFilters(device!) : NOTHING_KEPT;
  if (conn.closed) return;
  conn.grant = grant;
  conn.silenceAllowed = (packet.keepalive ?? 0) * 15;
  conn.authenticated();
  if (persistent) conn.keepSession(device!, ctx.devices.holdSession(device!));
  const sessionPresent = kept.size > 0;
  conn.send(
    version === 5
      ? { cmd: 'connack', reasonCode: 0, sessionPresent, properties: { maximumQoS: 1, sharedSubscriptionAvailable: false, subscriptionIdentifiersAvailable: false } }
      : { cmd: 'connack', returnCode: 0, sessionPresent },
  );
  if (sessionPresent) await restore(ctx, conn, grant, kept);
}

/** A CONNACK refusing the session, with the version's code for why; then the connection ends. */
function refuseConnect(ctx: EdgeContext, conn: MqttConnection, refusal: Refusal, why: string): void {
  ctx.metrics.badRequestsTotal.inc({ code: errorCodeOf(refusal) });
  conn.send(conn.version === 5 ? { cmd: 'connack', reasonCode: connackCode(refusal, 5), sessionPresent: false } : { cmd: 'connack', returnCode: connackCode(refusal, 4), sessionPresent: false });
  conn.end(CLOSE.UNAUTHORIZED, why);
}

/** A session that starts clean keeps no filters: one shared empty map. */
const NOTHING_KEPT: ReadonlyMap<string, KeptQos> = new Map();

/** A resumed session's kept filters subscribe again as they were granted, from the device's positions; no SUBACK, no retained message. */
async function restore(ctx: EdgeContext, conn: MqttConnection, grant: Grant, kept: ReadonlyMap<string, KeptQos>): Promise<void> {
  const sinks: MqttSink[] = [];
  const gone: string[] = [];
  for (const [filter, qos] of kept) {
    const outcome = await subscribeOne(ctx, conn, grant, filter, qos, false, false);
    if (conn.closed) return;
    if (typeof outcome !== 'string') sinks.push(outcome);
    else if (outcome !== 'unavailable') gone.push(filter); // e.g. these credentials may no longer read it
  }
  if (gone.length > 0) {
    ctx.logger.info({ device: conn.device, filters: gone }, 'kept MQTT filters no longer granted; forgotten');
    await ctx.devices.dropFilters(conn.device!, gone);
  }
  for (const sink of sinks) if (conn.subscriptions.get(sink.name) === sink) sink.open();
}

/** One filter of a SUBSCRIBE: the QoS it is granted (QoS 2 is granted 1), and whether it wants retained messages. */
interface FilterRequest {
  readonly filter: string;
  readonly qos: KeptQos;
  readonly wantsRetained: boolean;
}

function filterRequest({ topic, qos, rh }: ISubscribePacket['subscriptions'][number]): FilterRequest {
  return { filter: topic, qos: qos === 0 ? 0 : 1, wantsRetained: rh !== 2 };
}

/**
 * The filters in order, then one SUBACK. What waits for the subscriptions to start is sized
 * exactly (never grown by push): thousands of clients connecting at once keep it that long.
 */
async function subscribe(ctx: EdgeContext, conn: MqttConnection, grant: Grant, messageId: number, requests: readonly FilterRequest[]): Promise<void> {
  const outcomes = new Array<MqttSink | Refusal>(requests.length);
  for (let i = 0; i < requests.length; i++) {
    const { filter, qos, wantsRetained } = requests[i]!;
    outcomes[i] = await subscribeOne(ctx, conn, grant, filter, qos, wantsRetained, true);
    if (conn.closed) return;
  }
  const granted = outcomes.map((outcome, i) => {
    if (typeof outcome !== 'string') return requests[i]!.qos;
    ctx.metrics.badRequestsTotal.inc({ code: outcome === 'not-authorized' ? 'TIDINGS_SUBSCRIBE_FORBIDDEN' : errorCodeOf(outcome) });
    return subackCode(outcome, conn.version);
  });
  conn.send({ cmd: 'suback', messageId, granted });
  for (const outcome of outcomes) if (typeof outcome !== 'string' && conn.subscriptions.get(outcome.name) === outcome) outcome.open();
}

/** One filter becomes a Subscription; a persistent session keeps it too (`keep`), so a reconnect needs no SUBSCRIBE. */
async function subscribeOne(ctx: EdgeContext, conn: MqttConnection, grant: Grant, filter: string, qos: KeptQos, wantsRetained: boolean, keep: boolean): Promise<MqttSink | Refusal> {
  const spec = filterSpec(filter);
  if (!spec) return 'topic-filter-invalid';
  if (!maySubscribe(grant, spec)) return 'not-authorized';
  if (!hasRoomFor(ctx, conn, filter)) return 'quota-exceeded';
  if (keep && conn.device && !(await ctx.devices.keepFilter(conn.device, filter, qos, ctx.config.limits.maxChannelsPerConnection))) return 'quota-exceeded';
  let device: DeviceSession | undefined;
  try {
    device = conn.device ? await ctx.devices.join(conn.device, exactChannels([spec]), patternsOf([spec])) : undefined;
  } catch (error) {
    if (isTidingsError(error) && error.status < 500) return 'quota-exceeded'; // more durable patterns than allowed
    throw error;
  }
  const sink = new MqttSink(ctx, conn, filter, qos, device);
  // Packets handled during the await count too, and the socket may have closed meanwhile.
  if (conn.closed || !hasRoomFor(ctx, conn, filter)) {
    sink.close();
    return 'quota-exceeded';
  }
  const { cursor, lapses } = resumePoint(null, device);
  const subscription = new Subscription({ hub: ctx.hub, log: ctx.log, specs: [spec], cursor, lapses, sink, maxChannels: ctx.config.limits.maxTrackedChannels });
  sink.follow(subscription);
  conn.replace(sink);
  try {
    await subscription.start();
  } catch (error) {
    if (!conn.drop(filter, sink)) sink.close();
    ctx.logger.warn({ err: error }, 'mqtt subscription could not start');
    return 'unavailable';
  }
  if (!device && wantsRetained) sink.retain(await retainedFor(ctx, spec, subscription));
  return sink;
}

/**
 * A clean session's retained messages. An exact filter starts right after its channel's newest
 * event (no cursor: from now), and that event is its retained message: no read of its own. Should
 * an event published meanwhile have moved the position, that event is the newest and the sink
 * already holds it, so it is sent once, as a live event (as a broker whose retained message a
 * racing publish replaced). A device resumes from its own position instead and gets none.
 */
async function retainedFor(ctx: EdgeContext, spec: SubscriptionSpec, subscription: Subscription): Promise<LoggedEvent[]> {
  if (spec.kind === 'pattern') return newestOfEach(ctx, spec.pattern);
  const newest = subscription.positionOf(spec.channel);
  return newest === undefined || newest === ZERO_ID ? [] : present([await ctx.log.read(spec.channel, newest)]);
}

/** Retained messages one wildcard filter gets at most: each is a read, so a broad filter such as `#` stays cheap (ADR 16). */
export const MAX_RETAINED_PER_FILTER = 100;

/**
 * A wildcard filter's retained messages: the newest event of each channel it matches that had
 * events within retention, up to MAX_RETAINED_PER_FILTER channels, oldest first.
 */
async function newestOfEach(ctx: EdgeContext, pattern: string): Promise<LoggedEvent[]> {
  const since = (await ctx.log.now()) - ctx.config.retention.maxAgeSeconds * 1000;
  const channels = (await ctx.log.channelsActiveSince(since)).filter((channel) => matchesPattern(pattern, channel)).slice(0, MAX_RETAINED_PER_FILTER);
  const newest = await Promise.all(
    channels.map(async (channel) => {
      const id = await ctx.log.lastId(channel);
      return id === ZERO_ID ? undefined : ctx.log.read(channel, id);
    }),
  );
  return present(newest).sort((a, b) => compareStreamIds(a.id, b.id));
}

function present(events: readonly (LoggedEvent | undefined)[]): LoggedEvent[] {
  return events.filter((event): event is LoggedEvent => event !== undefined);
}

async function unsubscribe(ctx: EdgeContext, conn: MqttConnection, filters: readonly string[], messageId: number): Promise<void> {
  const results: number[] = [];
  for (const filter of filters) {
    const had = conn.drop(filter);
    // A device that unsubscribes from a pattern no longer follows it: its place is free again.
    if (had && conn.device && filterSpec(filter)?.kind === 'pattern') await ctx.devices.leavePattern(conn.device, filter);
    results.push(had ? 0x00 : 0x11); // 5.0: success / no subscription existed
  }
  if (conn.device) await ctx.devices.dropFilters(conn.device, filters);
  if (conn.closed) return;
  conn.send(conn.version === 5 ? { cmd: 'unsuback', messageId, granted: results } : { cmd: 'unsuback', messageId, granted: [] });
}

async function publish(ctx: EdgeContext, conn: MqttConnection, grant: Grant, packet: IPublishPacket): Promise<void> {
  if (packet.qos === 2) return conn.refuse('qos-not-supported', 'QoS 2 publishes are not supported; use QoS 0 or 1');
  const channel = topicChannel(packet.topic);
  if (channel === undefined) return refusePublish(ctx, conn, packet, 'topic-name-invalid', `topic ${packet.topic} is not a channel`);
  if (!mayPublish(grant, channel)) return refusePublish(ctx, conn, packet, 'not-authorized', `these credentials may not publish on ${channel}`);
  const data = payloadData(ctx, packet.payload);
  if (data === undefined) return refusePublish(ctx, conn, packet, 'payload-invalid', 'payloads must be UTF-8 text');
  try {
    await spendPublishBudget(ctx, grant, 1);
  } catch (error) {
    if (!isTidingsError(error) || error.status >= 500) throw error;
    return refusePublish(ctx, conn, packet, 'quota-exceeded', error.message);
  }
  await publishEvent(ctx, channel, { event: EVENT_NAME_DEFAULT, data, ack: false }, 'mqtt');
  // RETAIN needs nothing more: the channel's newest event is its retained message (ADR 14).
  if (packet.qos === 1 && !conn.closed) conn.send({ cmd: 'puback', messageId: packet.messageId ?? 0, ...(conn.version === 5 ? { reasonCode: 0 } : {}) });
}

/** 5.0 answers a refused QoS 1 publish with a negative PUBACK; otherwise (3.1.1, QoS 0) the connection ends with the reason. */
function refusePublish(ctx: EdgeContext, conn: MqttConnection, packet: IPublishPacket, refusal: Refusal, why: string): void {
  ctx.metrics.badRequestsTotal.inc({ code: refusal === 'not-authorized' ? 'TIDINGS_PUBLISH_FORBIDDEN' : errorCodeOf(refusal) });
  if (conn.version === 5 && packet.qos === 1) {
    conn.send({ cmd: 'puback', messageId: packet.messageId ?? 0, reasonCode: reasonCode(refusal), properties: { reasonString: why.slice(0, 120) } });
    return;
  }
  conn.refuse(refusal, why);
}

/** A payload as event data, like an HTTP body: JSON when it is JSON, else its text; undefined when not UTF-8. */
export function payloadData(ctx: EdgeContext, payload: Buffer | string): JsonValue | undefined {
  let text: string;
  try {
    text = typeof payload === 'string' ? payload : decodeUtf8Strict(payload, 'payload');
  } catch (error) {
    if (isTidingsError(error)) return undefined;
    throw error;
  }
  try {
    return parseJsonText(text, { maxJsonDepth: ctx.config.limits.maxJsonDepth }, 'TIDINGS_BODY_INVALID', 'payload');
  } catch (error) {
    if (isTidingsError(error)) return text; // not JSON (or too deep to be stored as JSON): the text itself
    throw error;
  }
}

/** A PUBACK: for an ack event it is the device's receipt, recorded like a POSTed `received`. */
async function acknowledged(ctx: EdgeContext, conn: MqttConnection, packetId: number): Promise<void> {
  const event = conn.answered(packetId);
  if (!event || !conn.device) return;
  try {
    await ctx.receipts.record(event.channel, event.id, conn.device, 'received');
  } catch (error) {
    if (!isTidingsError(error) || error.status >= 500) throw error;
    ctx.metrics.badRequestsTotal.inc({ code: error.code }); // e.g. the device is already dead for it: nothing to change
  }
}

function hasRoomFor(ctx: EdgeContext, conn: MqttConnection, filter: string): boolean {
  return conn.subscriptions.has(filter) || conn.subscriptions.size < ctx.config.limits.maxChannelsPerConnection;
}
