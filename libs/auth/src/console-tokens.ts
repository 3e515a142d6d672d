import { createHmac } from 'node:crypto';
import { decodeProtectedHeader, SignJWT } from 'jose';
import type { Grant } from './grant.js';
import { GRANT_CLAIM, JwtVerifier } from './jwt-verifier.js';

/** The `kid`, `iss` and `aud` of console tokens: what tells them apart from the operator's tokens. */
export const CONSOLE_TOKEN_ID = 'tidings-console';

/** Every right on every channel: what the admin token's holder may do anyway. */
const FULL_RIGHTS = { subscribe: ['#'], publish: ['#'], consume: ['#'] };

export interface ConsoleToken {
  readonly token: string;
  /** ms since the epoch */
  readonly expiresAt: number;
  /** Its lifetime in seconds: what a browser whose clock is off can count from. */
  readonly expiresIn: number;
}

/**
 * Short-lived tokens with every right, for the web console signed in with the admin token: the
 * admin token opens only the admin API, the console also tails and publishes. The signing key is
 * derived from the admin token, so every edge configured with the same admin token (as a cluster
 * behind one load balancer must be) accepts what any of them minted, with no shared state; changing
 * the admin token revokes every console token at once.
 */
export class ConsoleTokens {
  private readonly key: Uint8Array;
  private readonly verifier: JwtVerifier;

  constructor(
    adminToken: string,
    private readonly lifetimeSeconds: number,
    clockSkewSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    // A derived key, so a console token never reveals anything about the admin token itself.
    const secret = createHmac('sha256', adminToken).update('tidings console token key v1').digest('base64url');
    this.key = new TextEncoder().encode(secret);
    this.verifier = new JwtVerifier({ secret, issuer: CONSOLE_TOKEN_ID, audience: CONSOLE_TOKEN_ID, clockSkewSeconds });
  }

  async mint(): Promise<ConsoleToken> {
    const issuedAt = Math.floor(this.now() / 1000);
    const expires = issuedAt + this.lifetimeSeconds;
    const token = await new SignJWT({ [GRANT_CLAIM]: FULL_RIGHTS })
      .setProtectedHeader({ alg: 'HS256', kid: CONSOLE_TOKEN_ID })
      .setIssuer(CONSOLE_TOKEN_ID)
      .setAudience(CONSOLE_TOKEN_ID)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expires)
      .sign(this.key);
    return { token, expiresAt: expires * 1000, expiresIn: this.lifetimeSeconds };
  }

  /** Throws TidingsError TIDINGS_UNAUTHORIZED or TIDINGS_TOKEN_EXPIRED, as for any token. */
  verify(token: string): Promise<Grant> {
    return this.verifier.verify(token);
  }
}

/** Whether a bearer token claims to be a console token (its signature is checked by verify()). */
export function isConsoleTokenShaped(token: string): boolean {
  try {
    return decodeProtectedHeader(token).kid === CONSOLE_TOKEN_ID;
  } catch {
    return false; // not a JWT at all: the usual checks refuse it with their own reason
  }
}
