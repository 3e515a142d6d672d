import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ConsoleTokens, isConsoleTokenShaped } from './console-tokens.js';
import { JwtVerifier } from './jwt-verifier.js';

const ADMIN = 'the-admin-token-of-this-cluster';

describe('console tokens', () => {
  it('carry every right for the lifetime asked, and no device', async () => {
    const now = Date.now();
    const tokens = new ConsoleTokens(ADMIN, 300, 0, () => now);
    const { token, expiresAt, expiresIn } = await tokens.mint();
    expect(expiresAt).toBe((Math.floor(now / 1000) + 300) * 1000);
    expect(expiresIn).toBe(300);
    expect(isConsoleTokenShaped(token)).toBe(true);
    const grant = await tokens.verify(token);
    expect(grant).toMatchObject({ kind: 'token', subscribe: ['#'], publish: ['#'], consume: ['#'], expiresAt });
    expect(grant.device).toBeUndefined();
  });

  it('minted by one edge are accepted by another that shares the admin token', async () => {
    const { token } = await new ConsoleTokens(ADMIN, 60, 0).mint();
    await expect(new ConsoleTokens(ADMIN, 600, 0).verify(token)).resolves.toMatchObject({ publish: ['#'] });
  });

  it('stop working when the admin token changes', async () => {
    const { token } = await new ConsoleTokens(ADMIN, 60, 0).mint();
    await expect(new ConsoleTokens(`${ADMIN}-rotated`, 60, 0).verify(token)).rejects.toMatchObject({ code: 'TIDINGS_UNAUTHORIZED' });
  });

  it('expire', async () => {
    const longAgo = Date.now() - 3_600_000;
    const { token } = await new ConsoleTokens(ADMIN, 60, 0, () => longAgo).mint();
    await expect(new ConsoleTokens(ADMIN, 60, 0).verify(token)).rejects.toMatchObject({ code: 'TIDINGS_TOKEN_EXPIRED' });
  });

  it('are not accepted by the operator\'s token keys, nor can a token signed with those pass for one', async () => {
    const operatorSecret = 'the-operator-jwt-secret-0123456789';
    const { token } = await new ConsoleTokens(ADMIN, 60, 0).mint();
    await expect(new JwtVerifier({ secret: operatorSecret, clockSkewSeconds: 0 }).verify(token)).rejects.toMatchObject({ code: 'TIDINGS_UNAUTHORIZED' });
    const forged = await new SignJWT({ tidings: { subscribe: ['#'], publish: ['#'] } })
      .setProtectedHeader({ alg: 'HS256', kid: 'tidings-console' })
      .setIssuer('tidings-console')
      .setAudience('tidings-console')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(operatorSecret));
    await expect(new ConsoleTokens(ADMIN, 60, 0).verify(forged)).rejects.toMatchObject({ code: 'TIDINGS_UNAUTHORIZED' });
  });

  it('are told apart by their key id only', () => {
    expect(isConsoleTokenShaped('not a jwt')).toBe(false);
    expect(isConsoleTokenShaped('tk_abc.def')).toBe(false);
  });
});
