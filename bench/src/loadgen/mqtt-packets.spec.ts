import { describe, expect, it } from 'vitest';
import { mqttConnect, mqttPublish, mqttSubscribe } from './mqtt-packets.js';

describe('the bench’s own MQTT packets', () => {
  it('encode CONNECT, SUBSCRIBE and PUBLISH as MQTT 3.1.1 lays them out', () => {
    expect([...mqttConnect('')]).toEqual([0x10, 12, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x02, 0, 0, 0, 0]);
    expect([...mqttSubscribe('bench', 0)]).toEqual([0x82, 10, 0, 1, 0, 5, 0x62, 0x65, 0x6e, 0x63, 0x68, 0]);
    expect([...mqttPublish('b', 'hi')]).toEqual([0x30, 5, 0, 1, 0x62, 0x68, 0x69]);
    expect([...mqttPublish('b', 'hi', 258)]).toEqual([0x32, 7, 0, 1, 0x62, 1, 2, 0x68, 0x69]);
  });

  it('write a remaining length past 127 in two bytes', () => {
    const big = mqttPublish('b', 'x'.repeat(200));
    expect([...big.subarray(0, 3)]).toEqual([0x30, 203 % 128 | 0x80, 1]);
    expect(big.length).toBe(3 + 203);
  });
});
