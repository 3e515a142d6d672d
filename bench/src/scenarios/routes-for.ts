// The subscriber routes of a transport choice on a server: sse, ws, poll (long-poll, Tidings only:
// the peers' long-poll protocols differ), or mixed (SSE and WebSocket, half each, where the server
// speaks both). Null when the server does not speak the transport at all.
import type { Route } from '../loadgen/index.js';
import type { ServerUnderTest } from '../servers/server-under-test.js';
import type { OptionSpec } from '../suite/suite-options.js';

export type TransportChoice = 'sse' | 'ws' | 'poll' | 'mixed';
export const TRANSPORT_CHOICES: readonly TransportChoice[] = ['sse', 'ws', 'poll', 'mixed'];

export function transportOption(fallback: TransportChoice): OptionSpec {
  return { kind: 'words', default: [fallback], allowed: TRANSPORT_CHOICES, help: 'sse, ws, poll (long-poll, Tidings only) or mixed (SSE and WebSocket, half each, where the server speaks both)' };
}

export function routesFor(server: ServerUnderTest, choice: TransportChoice): Route[] | null {
  if (choice !== 'mixed') return server.transports.includes(choice) ? [server.route(choice)] : null;
  return server.transports.filter((t) => t !== 'poll').map((t) => server.route(t));
}

/** The servers that speak the transport; each of the others is logged as not run, with why. */
export function serversSpeaking<S extends string>(servers: readonly S[], choice: TransportChoice, log: (line: string) => void): S[] {
  return servers.filter((server) => {
    const unspoken = notSpoken(server, choice);
    if (unspoken !== null) log(`${server} transport=${choice}: not run, ${unspoken}`);
    return unspoken === null;
  });
}

/** Why a server of this kind is not run with the transport, or null when it speaks it. */
function notSpoken(server: string, choice: TransportChoice): string | null {
  if (choice === 'poll' && server !== 'tidings') return "long-poll runs Tidings only (the peers' long-poll protocols differ)";
  if (choice === 'sse' && (server === 'socketio' || server === 'soketi')) return 'it speaks no SSE (WebSocket only)';
  return null;
}
