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

/**
 * Reads one connection's packets from its WebSocket messages or TCP reads: a packet may span them
 * or share one. At most `maxPacketBytes` may wait for a packet to complete, so a peer announcing a
 * huge packet cannot make the node buffer it. The parser (about 2 KB, and it keeps the CONNECT) is
 * let go whenever no packet is half-read, so an idle subscriber holds none; the protocol level its
 * CONNECT named is all a new one needs.
 */
export class MqttPacketReader {
  private parser: ReturnType<typeof mqttPacket.parser> | undefined;
  private version: number = 4;
  private readonly packets: Packet[] = [];
  private failure: Error | undefined;

  constructor(private readonly maxPacketBytes: number) {}

  /** The packets completed by `bytes`. Throws MqttPacketError on anything that is not MQTT. */
  read(bytes: Buffer): Packet[] {
    const parser = this.parser ?? this.newParser();
    // What the parser keeps after a read is the start of a packet still incomplete.
    const left = parser.parse(bytes);
    if (this.failure) throw new MqttPacketError(this.failure.message);
    if (left > this.maxPacketBytes) throw new MqttPacketError(`a packet is larger than ${this.maxPacketBytes} bytes`);
    this.parser = left > 0 || midPacket(parser) ? parser : undefined;
    return this.packets.splice(0);
  }

  private newParser(): ReturnType<typeof mqttPacket.parser> {
    const parser = mqttPacket.parser({ protocolVersion: this.version });
    parser.on('packet', (packet: Packet) => {
      if (packet.cmd === 'connect') this.version = packet.protocolVersion ?? 4;
      this.packets.push(packet);
    });
    parser.on('error', (error: unknown) => (this.failure ??= error instanceof Error ? error : new Error(String(error))));
    return parser;
  }
}

/**
 * Whether the parser has begun a packet whose bytes it already consumed (a fixed header read alone:
 * MQTT.js sends it in a frame of its own), so nothing is left in its buffer but it is not between
 * packets. Its `packet` is the one being read, with no `cmd` until a header came.
 */
function midPacket(parser: ReturnType<typeof mqttPacket.parser>): boolean {
  return (parser as unknown as { readonly packet: { readonly cmd: string | null } }).packet.cmd !== null;
}

/** One packet's bytes for a peer speaking `version`. */
export function encodePacket(packet: Packet, version: MqttVersion): Buffer {
  return mqttPacket.generate(packet, { protocolVersion: version });
}
