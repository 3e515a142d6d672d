import { describe, expect, it } from 'vitest';
import { encodePacket, MqttPacketError, MqttPacketReader } from './mqtt-codec.js';

const connect = encodePacket({ cmd: 'connect', protocolVersion: 4, clientId: 'lamp-7', clean: true, keepalive: 60 }, 4);

describe('MqttPacketReader', () => {
  it('reads packets that span messages or share one', () => {
    const reader = new MqttPacketReader(1024);
    expect(reader.read(connect.subarray(0, 5))).toEqual([]);
    const ping = encodePacket({ cmd: 'pingreq' }, 4);
    const packets = reader.read(Buffer.concat([connect.subarray(5), ping, ping]));
    expect(packets.map((p) => p.cmd)).toEqual(['connect', 'pingreq', 'pingreq']);
  });

  it('refuses bytes that are not MQTT', () => {
    expect(() => new MqttPacketReader(1024).read(Buffer.from([0x00, 0x00]))).toThrow(MqttPacketError);
  });

  it('refuses to hold more than its limit of an incomplete packet', () => {
    const reader = new MqttPacketReader(1024);
    const huge = encodePacket({ cmd: 'publish', topic: 'a', payload: Buffer.alloc(4096), qos: 0, dup: false, retain: false }, 4);
    expect(reader.read(huge.subarray(0, 1000))).toEqual([]);
    expect(() => reader.read(huge.subarray(1000, 2000))).toThrow(/larger than 1024 bytes/);
  });
});
