// Frames a WebSocket client sends (RFC 6455 §5.3): always masked, so a server must accept them.
// The bench sends few of them (a subscribe, pongs, a close), so clarity beats speed here.
import { randomBytes } from 'node:crypto';

/** One final frame of `opcode` carrying `payload`, masked with `mask` (4 random bytes unless given). */
export function encodeClientFrame(opcode: number, payload: Uint8Array, mask: Uint8Array = randomBytes(4)): Buffer {
  const length = payload.length;
  const extended = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const frame = Buffer.allocUnsafe(2 + extended + 4 + length);
  frame[0] = 0x80 | (opcode & 0x0f);
  if (extended === 0) {
    frame[1] = 0x80 | length;
  } else if (extended === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const keyAt = 2 + extended;
  for (let k = 0; k < 4; k++) frame[keyAt + k] = mask[k]!;
  const dataAt = keyAt + 4;
  for (let k = 0; k < length; k++) frame[dataAt + k] = payload[k]! ^ mask[k & 3]!;
  return frame;
}
