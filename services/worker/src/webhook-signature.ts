import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = 'tidings-signature';

/**
 * Signs a webhook body. The timestamp is inside the signed text, so a captured request cannot be
 * replayed later with a fresh time; receivers reject signatures older than their tolerance.
 */
export function signWebhook(secret: string, body: string, nowSeconds: number = Math.floor(Date.now() / 1000)): string {
  return `t=${nowSeconds},v1=${hmac(secret, nowSeconds, body)}`;
}

/** For receivers (and our tests): true when `header` signs `body` with `secret` within the tolerance. */
export function verifyWebhook(secret: string, header: string | undefined, body: string, toleranceSeconds = 300, nowSeconds: number = Math.floor(Date.now() / 1000)): boolean {
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return false;
  const t = Number(match[1]);
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  return timingSafeEqual(Buffer.from(match[2]!, 'hex'), Buffer.from(hmac(secret, t, body), 'hex'));
}

function hmac(secret: string, t: number, body: string): string {
  return createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
}
