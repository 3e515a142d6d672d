// The only module that knows mqtt-packet: the wire format of MQTT 3.1.1 and 5.0 (ADR 14).
import mqttPacket, { type Packet } from 'mqtt-packet';

export type { IConnectPacket, IPublishPacket, ISubscribePacket, Packet } from 'mqtt-packet';

/** MQTT protocol levels this edge speaks: 3.1.1 is level 4, 5.0 is level 5. */
export type MqttVersion = 4 | 5;

/** Bytes that cannot be read as MQTT packets: the connection ends. */
export class MqttPacketError extends Error {}

/**
 * Reads one connection's packets from its WebSocket messages: a packet may span messages or
 * share one. At most `maxPacketBytes` may wait for a packet to complete, so a peer announcing a
 * huge packet cannot make the node buffer it.
 */
export class MqttPacketReader {
  private readonly parser = mqttPacket.parser({ protocolVersion: 4 });
  private readonly packets: Packet[] = [];
  private failure: Error | undefined;

  constructor(private readonly maxPacketBytes: number) {
    this.parser.on('packet', (packet: Packet) => this.packets.push(packet));
    this.parser.on('error', (error: unknown) => (this.failure ??= error instanceof Error ? error : new Error(String(error))));
  }

  /** The packets completed by `bytes`. Throws MqttPacketError on anything that is not MQTT. */
  read(bytes: Buffer): Packet[] {
    // What the parser keeps after a read is the start of a packet still incomplete.
    const left = this.parser.parse(bytes);
    if (this.failure) throw new MqttPacketError(this.failure.message);
    if (left > this.maxPacketBytes) throw new MqttPacketError(`a packet is larger than ${this.maxPacketBytes} bytes`);
    return this.packets.splice(0);
  }
}

/** One packet's bytes for a peer speaking `version`. */
export function encodePacket(packet: Packet, version: MqttVersion): Buffer {
  return mqttPacket.generate(packet, { protocolVersion: version });
}
