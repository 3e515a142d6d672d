import { SIGNATURE_HEADER, signWebhook } from './webhook-signature.js';

export interface WebhookTarget {
  readonly url: string;
  readonly secret: string;
  readonly timeoutSeconds: number;
  readonly maxAttempts: number;
}

/**
 * POSTs a signed JSON body; throws unless the receiver answers 2xx. `deliveryId` is the same on
 * every try of the same letter, so a receiver can drop repeats.
 */
export async function postWebhook(target: WebhookTarget, body: string, deliveryId: string): Promise<void> {
  const response = await fetch(target.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'tidings-worker',
      [SIGNATURE_HEADER]: signWebhook(target.secret, body),
      'tidings-delivery': deliveryId,
    },
    body,
    signal: AbortSignal.timeout(target.timeoutSeconds * 1000),
  });
  if (!response.ok) throw new Error(`dead-letter webhook answered ${response.status}`);
}
