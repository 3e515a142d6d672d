// How an event reaches an MQTT subscriber (ADR 14): its `data` as the payload — a string as its
// bare text, anything else as JSON text — and, on 5.0, its id and event name as user properties.
import { type LoggedEvent, NodeEvent } from '@tidings/core';
import { encodePacket, type MqttVersion } from './mqtt-codec.js';

function payloadOf(event: LoggedEvent): Buffer {
  const text = event.data.startsWith('"') ? (JSON.parse(event.data) as string) : event.data;
  return Buffer.from(text);
}

/** The PUBLISH packet of `event`; the payload is built once per event and shared by every connection. */
export function publishPacket(event: LoggedEvent, version: MqttVersion, qos: 0 | 1, packetId: number, dup: boolean): Buffer {
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
