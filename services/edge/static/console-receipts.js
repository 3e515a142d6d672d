// A device's receipt state, as the console pictures it: acked, pending, retrying, failed or dead.

const CATEGORIES = ['acked', 'pending', 'retrying', 'failed', 'dead'];

/** The picture of one device's receipt (also its row's colour). */
export function receiptCategory(receipt) {
  switch (receipt.state) {
    case 'received':
    case 'processed':
      return 'acked';
    case 'failed':
    case 'dead':
      return receipt.state;
    default:
      // Not answered yet: the worker's redelivery rounds make it "retrying".
      return receipt.retries > 0 ? 'retrying' : 'pending';
  }
}

/** Devices per category, every category listed (failed only when there is one). */
export function receiptCounts(receipts) {
  const counts = Object.fromEntries(CATEGORIES.map((c) => [c, 0]));
  for (const receipt of receipts) counts[receiptCategory(receipt)] += 1;
  if (counts.failed === 0) delete counts.failed;
  return counts;
}
