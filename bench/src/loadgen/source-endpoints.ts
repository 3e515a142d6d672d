// Where each generator socket connects from. Letting the kernel pick the source port (bind to an
// address with port 0) gets slower with every port taken: measured here, 15k connects/s fell to
// under 1k/s past 5k sockets on one address. Naming the port outright costs the same at any
// count, so connection n gets its own (address, port): ports 10000–29999 of 127.0.1.1, then of
// 127.0.1.2, … — below the ephemeral range (32768–60999) the servers' own ports come from, and on
// addresses nothing else uses as a source, so the next run finds them free too.

export interface SourcePlan {
  /** The first three octets of the source addresses; the fourth counts from 1. */
  readonly network: string;
  readonly firstPort: number;
  readonly portsPerAddress: number;
}

export const DEFAULT_SOURCES: SourcePlan = { network: '127.0.1', firstPort: 10_000, portsPerAddress: 20_000 };

export interface SourceEndpoint {
  readonly address: string;
  readonly port: number;
}

/** The source of the run's connection number `n` (0-based). */
export function sourceEndpoint(n: number, plan: SourcePlan = DEFAULT_SOURCES): SourceEndpoint {
  const host = Math.floor(n / plan.portsPerAddress) + 1;
  if (!Number.isInteger(n) || n < 0 || host > 254) throw new RangeError(`no source endpoint for connection ${n}: ${plan.network}.1–254 hold ${254 * plan.portsPerAddress}`);
  return { address: `${plan.network}.${host}`, port: plan.firstPort + (n % plan.portsPerAddress) };
}
