/**
 * The client's address: the peer's, unless the peer is a trusted proxy, in which case the
 * right-most X-Forwarded-For entry that is not itself a trusted proxy (entries further left were
 * written by the client and prove nothing).
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trustedProxies: readonly string[]): string {
  const address = unmapped(peer);
  if (!trustedProxies.includes(address) || !forwardedFor) return address;
  const hops = forwardedFor.split(',').map((hop) => unmapped(hop.trim()));
  for (let i = hops.length - 1; i >= 0; i--) {
    if (hops[i] !== '' && !trustedProxies.includes(hops[i]!)) return hops[i]!;
  }
  return address;
}

/** `::ffff:10.0.0.1` is how a dual-stack socket shows an IPv4 peer. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
