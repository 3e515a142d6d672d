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

/** Where a parser's packets and error go: the reader whose bytes it is reading now. */
interface ParserOwner {
  received(packet: Packet): void;
  failed(error: Error): void;
}

/** A parser and the reader it reads for; between packets it holds nothing of that reader. */
class OwnedParser {
  owner: ParserOwner | undefined;
  readonly parser: Parser;

  constructor() {
    this.parser = mqttPacket.parser({ protocolVersion: 4 });
    this.parser.on('packet', (packet: Packet) => this.owner?.received(packet));
    this.parser.on('error', (error: unknown) => this.owner?.failed(error instanceof Error ? error : new Error(String(error))));
  }

  /**
   * The protocol level the next packets are read at. The parser reads its settings per packet, and
   * a CONNECT replaces them with the packet itself: they are set anew, never changed in place.
   */
  set version(protocolVersion: number) {
    (this.parser as unknown as { settings: { protocolVersion: number } }).settings = { protocolVersion };
  }
}

/**
 * The parser every reader borrows for bytes that start a packet: building one costs about 2 KB of
 * allocation, once per connection otherwise, and connecting thousands of subscribers at once turns
 * that churn into heap growth. Reads are synchronous, so one is enough; a reader left mid-packet
 * keeps the one it has and the next reader gets a new one.
 */
let spare: OwnedParser | undefined;

const NO_PACKETS: readonly Packet[] = [];

/**
 * Reads one connection's packets from its WebSocket messages or TCP reads: a packet may span them
 * or share one. At most `maxPacketBytes` may wait for a packet to complete, so a peer announcing a
 * huge packet cannot make the node buffer it. A reader holds a parser (and the start of a packet)
 * only while a packet is half-read, so an idle subscriber holds none; the protocol level its
 * CONNECT named is all it keeps.
 */
export class MqttPacketReader implements ParserOwner {
  private parser: OwnedParser | undefined;
  private version: number = 4;
  /** Packets completed during the current read. */
  private packets: Packet[] | undefined;
  private failure: Error | undefined;

  constructor(private readonly maxPacketBytes: number) {}

  /** The packets completed by `bytes`. Throws MqttPacketError on anything that is not MQTT. */
  read(bytes: Buffer): readonly Packet[] {
    const owned = this.parser ?? spare ?? new OwnedParser();
    if (owned === spare) spare = undefined;
    owned.owner = this;
    owned.version = this.version;
    // What the parser keeps after a read is the start of a packet still incomplete.
    const left = owned.parser.parse(bytes);
    if (this.failure) throw new MqttPacketError(this.failure.message);
    if (left > this.maxPacketBytes) throw new MqttPacketError(`a packet is larger than ${this.maxPacketBytes} bytes`);
    if (left > 0 || midPacket(owned.parser)) this.parser = owned;
    else {
      this.parser = undefined;
      owned.owner = undefined;
      owned.version = 4; // lets go of a CONNECT it may hold as its settings
      spare = owned;
    }
    const packets = this.packets ?? NO_PACKETS;
    this.packets = undefined;
    return packets;
  }

  received(packet: Packet): void {
    if (packet.cmd === 'connect') this.version = packet.protocolVersion ?? 4;
    (this.packets ??= []).push(packet);
  }

  failed(error: Error): void {
    this.failure ??= error;
  }
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
