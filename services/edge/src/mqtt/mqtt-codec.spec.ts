import { describe, expect, it } from 'vitest';
import { encodePacket, MqttPacketError, type PacketStream, readPackets } from './mqtt-codec.js';

const connect = encodePacket({ cmd: 'connect', protocolVersion: 4, clientId: 'lamp-7', clean: true, keepalive: 60 }, 4);

/** A connection's reading state, and its reads with a limit of 1 KB per incomplete packet. */
function stream(): { read(bytes: Buffer): ReturnType<typeof readPackets> } {
  const state: PacketStream = { readLevel: 4, halfRead: undefined };
  return { read: (bytes) => readPackets(state, bytes, 1024) };
}

describe('readPackets', () => {
  it('reads packets that span messages or share one', () => {
    const reader = stream();
    expect(reader.read(connect.subarray(0, 5))).toEqual([]);
    const ping = encodePacket({ cmd: 'pingreq' }, 4);
    const packets = reader.read(Buffer.concat([connect.subarray(5), ping, ping]));
    expect(packets.map((p) => p.cmd)).toEqual(['connect', 'pingreq', 'pingreq']);
  });

  it('keeps reading 5.0 packets (properties included) after the CONNECT that named 5.0, across idle gaps', () => {
    const reader = stream();
    const connect5 = encodePacket({ cmd: 'connect', protocolVersion: 5, clientId: 'lamp-7', clean: true, keepalive: 60, properties: { sessionExpiryInterval: 60 } }, 5);
    expect(reader.read(connect5).map((p) => p.cmd)).toEqual(['connect']);
    const publish = encodePacket({ cmd: 'publish', topic: 'a', payload: 'x', qos: 1, messageId: 7, dup: false, retain: false, properties: { userProperties: { k: 'v' } } }, 5);
    const [packet] = reader.read(publish);
    expect(packet).toMatchObject({ cmd: 'publish', topic: 'a', messageId: 7, properties: { userProperties: { k: 'v' } } });
  });

  it('keeps a packet whose fixed header came alone, as MQTT.js sends it over WebSocket', () => {
    const reader = stream();
    expect(reader.read(connect.subarray(0, 2))).toEqual([]);
    expect(reader.read(connect.subarray(2, 10))).toEqual([]);
    expect(reader.read(connect.subarray(10)).map((p) => p.cmd)).toEqual(['connect']);
  });

  it('keeps each connection at its own protocol level while readers take turns, one of them mid-packet', () => {
    const v5 = stream();
    const v4 = stream();
    const connect5 = encodePacket({ cmd: 'connect', protocolVersion: 5, clientId: 'lamp-8', clean: true, keepalive: 60 }, 5);
    const [first] = v5.read(connect5);
    expect(v4.read(connect).map((p) => p.cmd)).toEqual(['connect']);
    const publish5 = encodePacket({ cmd: 'publish', topic: 'a', payload: 'x', qos: 1, messageId: 7, dup: false, retain: false, properties: { userProperties: { k: 'v' } } }, 5);
    expect(v5.read(publish5.subarray(0, 6))).toEqual([]);
    const publish4 = encodePacket({ cmd: 'publish', topic: 'b', payload: 'y', qos: 1, messageId: 9, dup: false, retain: false }, 4);
    expect(v4.read(publish4)).toMatchObject([{ cmd: 'publish', topic: 'b', messageId: 9 }]);
    expect(v5.read(publish5.subarray(6))).toMatchObject([{ cmd: 'publish', topic: 'a', messageId: 7, properties: { userProperties: { k: 'v' } } }]);
    expect(first).toMatchObject({ cmd: 'connect', protocolVersion: 5, clientId: 'lamp-8' });
  });

  it('refuses bytes that are not MQTT', () => {
    expect(() => stream().read(Buffer.from([0x00, 0x00]))).toThrow(MqttPacketError);
  });

  it('refuses to hold more than its limit of an incomplete packet', () => {
    const reader = stream();
    const huge = encodePacket({ cmd: 'publish', topic: 'a', payload: Buffer.alloc(4096), qos: 0, dup: false, retain: false }, 4);
    expect(reader.read(huge.subarray(0, 1000))).toEqual([]);
    expect(() => reader.read(huge.subarray(1000, 2000))).toThrow(/larger than 1024 bytes/);
  });
});
