import type { ReceiptState } from './ports.js';

export type ReceiptTransition = 'recorded' | 'unchanged' | 'conflict';

/**
 * What a device's receipt does to the state recorded for it (the same rules as
 * record-receipt.lua): pending → delivered → received → processed | failed; dead is final.
 * A repeat, or `received` after a final answer, changes nothing; a contradiction is a conflict.
 */
export function receiptTransition(current: ReceiptState, reported: 'received' | 'processed' | 'failed'): ReceiptTransition {
  if (current === reported) return 'unchanged';
  if (current === 'dead') return 'conflict';
  if (current === 'processed' || current === 'failed') return reported === 'received' ? 'unchanged' : 'conflict';
  return 'recorded';
}
