// The only module that knows mqtt-packet: the wire format of MQTT 3.1.1 and 5.0 (ADR 14).
import mqttPacket, { type Packet } from 'mqtt-packet';

export type { IConnectPacket, IPublishPacket, ISubscribePacket, Packet } from 'mqtt-packet';

// mqtt-packet builds a cache of 65,536 two-byte packet-id buffers on its first encode (about 7 MB
// of heap, held for good); writing the two bytes of an id as needed costs far less than that.
mqttPacket.writeToStream.cacheNumbers = false;

/** MQTT protocol levels this edge speaks: 3.1.1 is level 4, 5.0 is level 5. */
export type MqttVersion = 4 | 5;

/** Bytes that cannot be read as MQTT packets: the connection ends. */
export class MqttPacketError extends Error {}

type Parser = ReturnType<typeof mqttPacket.parser>;

/** A parser and what it completed or failed on during the current read; nothing between reads. */
class CollectingParser {
  readonly parser: Parser;
  packets: Packet[] | undefined;
  failure: Error | undefined;

  constructor() {
    this.parser = mqttPacket.parser({ protocolVersion: 4 });
    this.parser.on('packet', (packet: Packet) => (this.packets ??= []).push(packet));
    this.parser.on('error', (error: unknown) => (this.failure ??= error instanceof Error ? error : new Error(String(error))));
  }

  /**
   * The protocol level the next packets are read at. The parser reads its settings per packet, and
   * a CONNECT replaces them with the packet itself: they are set anew, never changed in place.
   */
  set level(protocolVersion: number) {
    (this.parser as unknown as { settings: { protocolVersion: number } }).settings = { protocolVersion };
  }
}

/** A parser left holding the start of one connection's packet. */
export type HalfReadParser = CollectingParser;

/**
 * What one connection keeps between reads of its WebSocket messages or TCP reads: the protocol
 * level its CONNECT named, and a parser only while a packet is half-read, so an idle subscriber
 * holds none. Fields of the connection itself: an object of its own would cost 64 bytes more.
 */
export interface PacketStream {
  readLevel: number;
  halfRead: HalfReadParser | undefined;
}

/**
 * The parser every connection borrows for bytes that start a packet: building one costs about 2 KB
 * of allocation, once per connection otherwise, and connecting thousands of subscribers at once
 * turns that churn into heap growth. Reads are synchronous, so one is enough; a connection left
 * mid-packet keeps the one it has and the next read gets a new one.
 */
let spare: CollectingParser | undefined;

const NO_PACKETS: readonly Packet[] = [];

/**
 * The packets `bytes` completes on `stream`: a packet may span reads or share one. At most
 * `maxPacketBytes` may wait for a packet to complete, so a peer announcing a huge packet cannot
 * make the node buffer it. Throws MqttPacketError on anything that is not MQTT.
 */
export function readPackets(stream: PacketStream, bytes: Buffer, maxPacketBytes: number): readonly Packet[] {
  const reading = stream.halfRead ?? spare ?? new CollectingParser();
  if (reading === spare) spare = undefined;
  reading.level = stream.readLevel;
  // What the parser keeps after a read is the start of a packet still incomplete.
  const left = reading.parser.parse(bytes);
  const { packets = NO_PACKETS, failure } = reading;
  reading.packets = undefined;
  reading.failure = undefined;
  for (const packet of packets) if (packet.cmd === 'connect') stream.readLevel = packet.protocolVersion ?? 4;
  if (failure) throw new MqttPacketError(failure.message);
  if (left > maxPacketBytes) throw new MqttPacketError(`a packet is larger than ${maxPacketBytes} bytes`);
  if (left > 0 || midPacket(reading.parser)) stream.halfRead = reading;
  else {
    stream.halfRead = undefined;
    reading.level = 4; // lets go of a CONNECT it may hold as its settings
    spare = reading;
  }
  return packets;
}

/**
 * Whether the parser has begun a packet whose bytes it already consumed (a fixed header read alone:
 * MQTT.js sends it in a frame of its own), so nothing is left in its buffer but it is not between
 * packets. Its `packet` is the one being read, with no `cmd` until a header came.
 */
function midPacket(parser: Parser): boolean {
  return (parser as unknown as { readonly packet: { readonly cmd: string | null } }).packet.cmd !== null;
}

/** One packet's bytes for a peer speaking `version`. */
export function encodePacket(packet: Packet, version: MqttVersion): Buffer {
  return mqttPacket.generate(packet, { protocolVersion: version });
}
