// Source addresses for the generator's sockets. A socket bound to one local address can take
// only the ~28k ports of the ephemeral range (32768–60999 here), so holding more connections means
// spreading them over several addresses of 127.0.0.0/8, all of which reach the loopback servers.

/** 127.0.0.1 … 127.0.0.n (n ≤ 254). */
export function loopbackAddresses(n: number): string[] {
  if (!Number.isInteger(n) || n < 1 || n > 254) throw new RangeError(`between 1 and 254 loopback source addresses, not ${n}`);
  return Array.from({ length: n }, (_, i) => `127.0.0.${i + 1}`);
}

/** Ports one source address can use towards one server, leaving room for other programs. */
export const CONNECTIONS_PER_ADDRESS = 20_000;

/** Enough source addresses for `connections` sockets. */
export function addressesFor(connections: number): string[] {
  return loopbackAddresses(Math.max(1, Math.ceil(connections / CONNECTIONS_PER_ADDRESS)));
}
