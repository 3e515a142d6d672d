/** A WebSocket close frame's reason holds at most 123 bytes of UTF-8 (RFC 6455 §5.5: 125 with the code). */
const MAX_REASON_BYTES = 123;
const lenient = new TextDecoder();

/** `reason` cut to fit a close frame, at a character boundary (client input may be quoted in it). */
export function closeReason(reason: string): string {
  const bytes = Buffer.from(reason);
  if (bytes.length <= MAX_REASON_BYTES) return reason;
  // A character cut in two decodes as U+FFFD at the end: dropped.
  return lenient.decode(bytes.subarray(0, MAX_REASON_BYTES)).replace(/\uFFFD$/, '');
}
