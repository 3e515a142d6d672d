// How an event reaches an MQTT subscriber (ADR 14): its `data` as the payload — a string as its
// bare text, anything else as JSON text — and, on 5.0, its id and event name as user properties.
import { type LoggedEvent, NodeEvent } from '@tidings/core';
import { encodePacket, type MqttVersion } from './mqtt-codec.js';

function payloadOf(event: LoggedEvent): Buffer {
  const text = event.data.startsWith('"') ? (JSON.parse(event.data) as string) : event.data;
  return Buffer.from(text);
}

function encode(event: LoggedEvent, version: MqttVersion, qos: 0 | 1, packetId: number, dup: boolean): Buffer {
  const payload = event instanceof NodeEvent ? event.derive(payloadOf) : payloadOf(event);
  return encodePacket(
    {
      cmd: 'publish',
      topic: event.channel,
      payload,
      qos,
      dup,
      retain: false,
      ...(qos === 1 ? { messageId: packetId } : {}),
      ...(version === 5 ? { properties: { userProperties: { id: event.id, event: event.event } } } : {}),
    },
    version,
  );
}

// A QoS 0 PUBLISH has no packet id: its bytes are the same for every connection of a version.
const qos0v4 = (event: LoggedEvent): Buffer => encode(event, 4, 0, 0, false);
const qos0v5 = (event: LoggedEvent): Buffer => encode(event, 5, 0, 0, false);

/** The PUBLISH packet of `event`; at QoS 0 built once per event and version, shared by every connection. */
export function publishPacket(event: LoggedEvent, version: MqttVersion, qos: 0 | 1, packetId: number, dup: boolean): Buffer {
  if (qos === 1) return encode(event, version, 1, packetId, dup);
  const build = version === 5 ? qos0v5 : qos0v4;
  return event instanceof NodeEvent ? event.derive(build) : build(event);
}
