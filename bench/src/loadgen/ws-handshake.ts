// The HTTP/1.1 upgrade both ends of a bench WebSocket need (RFC 6455 §4): the generator's request
// and the floor server's answer share the accept computation.
import { createHash } from 'node:crypto';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The Sec-WebSocket-Accept value a server must answer to `key`. */
export function websocketAccept(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** A GET that asks `host` to upgrade `path` to a WebSocket with `key` (base64 of 16 bytes), offering `protocol` if given. */
export function upgradeRequest(host: string, path: string, key: string, protocol?: string): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${protocol === undefined ? '' : `Sec-WebSocket-Protocol: ${protocol}\r\n`}\r\n`
  );
}
