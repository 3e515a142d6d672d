// The acknowledgement a receipts bench sends back for a Tidings event frame that asks for one
// ("ack":true): `{"type":"ack","channel","id"}`, read off the frame text without a JSON parse of
// the whole envelope. Null when the frame is not an event asking for an ack.

const CHANNEL = /"channel":("(?:[^"\\]|\\.)*")/;
const ID = /"id":"([^"]+)"/;

export function ackFor(frameText: string): string | null {
  if (!frameText.includes('"ack":true') || !frameText.includes('"type":"event"')) return null;
  const channel = CHANNEL.exec(frameText)?.[1];
  const id = ID.exec(frameText)?.[1];
  if (channel === undefined || id === undefined) return null;
  return `{"type":"ack","channel":${channel},"id":"${id}"}`;
}

/** A server's answer confirming a receipt. */
export function isAckedFrame(frameText: string): boolean {
  return frameText.startsWith('{"type":"acked"');
}
