// The few MQTT 3.1.1 packets the bench speaks itself, byte for byte (MQTT 3.1.1 §3): a lean
// subscriber needs one CONNECT and one SUBSCRIBE, the publisher bridge a CONNECT and QoS 0
// PUBLISHes. Everything a subscriber receives is only scanned for the event's `q<seq>.` marker.

/** MQTT's variable-length "remaining length" (1–4 bytes, 7 bits each). */
function remainingLength(length: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return Buffer.from(bytes);
}

function utf8Field(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
}

function packet(firstByte: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([firstByte]), remainingLength(body.length), body]);
}

/** CONNECT, 3.1.1, clean session, keep-alive 0 (no PINGREQ needed), client id `clientId` (empty: the server names it). */
export function mqttConnect(clientId: string): Buffer {
  const header = Buffer.concat([utf8Field('MQTT'), Buffer.from([4, 0x02, 0, 0])]);
  return packet(0x10, Buffer.concat([header, utf8Field(clientId)]));
}

/** SUBSCRIBE to one filter at `qos`, packet id 1. */
export function mqttSubscribe(filter: string, qos: 0 | 1): Buffer {
  return packet(0x82, Buffer.concat([Buffer.from([0, 1]), utf8Field(filter), Buffer.from([qos])]));
}

/** A PUBLISH: at QoS 0 (no packet id), or at QoS 1 with `packetId`. */
export function mqttPublish(topic: string, payload: string, packetId?: number): Buffer {
  const id = packetId === undefined ? Buffer.alloc(0) : Buffer.from([packetId >> 8, packetId & 0xff]);
  return packet(packetId === undefined ? 0x30 : 0x32, Buffer.concat([utf8Field(topic), id, Buffer.from(payload, 'utf8')]));
}
