// WebSocket close codes. Tidings' own codes split by range so that a client which does not
// know a code still does the right thing: 4000-4499 "reconnect and resume from the cursor",
// 4500-4999 "terminal: reconnecting would fail the same way".

export const CLOSE = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  UNSUPPORTED_DATA: 1003,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  SLOW_CONSUMER: 4001,
  TOKEN_EXPIRED: 4002,
  UNAVAILABLE: 4003,
  PROTOCOL_ERRORS: 4500,
  UNAUTHORIZED: 4501,
} as const;

export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];

// Standard codes that describe a transient server or network condition.
const TRANSIENT = new Set([1001, 1005, 1006, 1011, 1012, 1013, 1014]);

/**
 * Whether a client should reconnect (with backoff and jitter) and resume after this close code:
 * - 1001 going away (drain, restart), 1005 no status, 1006 abnormal (dropped connection),
 *   1011 internal error, 1012 service restart, 1013 try again later, 1014 bad gateway → true;
 * - 4000-4499 (Tidings: slow consumer, token expired — fetch a new one first —, unavailable) → true;
 * - 4500-4999 (Tidings: protocol errors, unauthorized) → false;
 * - anything else → false: 1000 is a close someone asked for; 1002, 1003, 1007, 1008, 1009,
 *   1010 and 1015 would recur on the same request; unknown codes are not ours to retry.
 */
export function shouldReconnect(code: number): boolean {
  if (code >= 4000 && code <= 4499) return true;
  return TRANSIENT.has(code);
}
