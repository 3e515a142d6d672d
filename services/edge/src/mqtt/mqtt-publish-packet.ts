// How an event reaches an MQTT subscriber (ADR 14): its `data` as the payload — a string as its
// bare text, anything else as JSON text — and, on 5.0, its id and event name as user properties.
import { type LoggedEvent, NodeEvent } from '@tidings/core';
import { encodePacket, type MqttVersion } from './mqtt-codec.js';

function payloadOf(event: LoggedEvent): Buffer {
  const text = event.data.startsWith('"') ? (JSON.parse(event.data) as string) : event.data;
  return Buffer.from(text);
}

/** How one PUBLISH of an event is sent: QoS 1 carries its connection's packet id. */
export type PublishFlags = { readonly qos: 0; readonly retain: boolean } | { readonly qos: 1; readonly packetId: number; readonly dup: boolean; readonly retain: boolean };

function encode(event: LoggedEvent, version: MqttVersion, flags: PublishFlags): Buffer {
  const payload = event instanceof NodeEvent ? event.derive(payloadOf) : payloadOf(event);
  return encodePacket(
    {
      cmd: 'publish',
      topic: event.channel,
      payload,
      qos: flags.qos,
      dup: flags.qos === 1 && flags.dup,
      retain: flags.retain,
      ...(flags.qos === 1 ? { messageId: flags.packetId } : {}),
      ...(version === 5 ? { properties: { userProperties: { id: event.id, event: event.event } } } : {}),
    },
    version,
  );
}

// A QoS 0 PUBLISH has no packet id: its bytes are the same for every connection of a version.
const LIVE_QOS0: PublishFlags = { qos: 0, retain: false };
const qos0v4 = (event: LoggedEvent): Buffer => encode(event, 4, LIVE_QOS0);
const qos0v5 = (event: LoggedEvent): Buffer => encode(event, 5, LIVE_QOS0);

/** The PUBLISH packet of `event`; live at QoS 0 built once per event and version, shared by every connection. */
export function publishPacket(event: LoggedEvent, version: MqttVersion, flags: PublishFlags): Buffer {
  if (flags.qos === 1 || flags.retain) return encode(event, version, flags);
  const build = version === 5 ? qos0v5 : qos0v4;
  return event instanceof NodeEvent ? event.derive(build) : build(event);
}
