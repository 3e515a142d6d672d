// Collects the first bytes of each WebSocket data frame as text, for the few frames a protocol
// wants answered (Engine.IO's "2" ping, Pusher's pusher:ping, a Tidings event to acknowledge).
// Only connections whose route needs it collect at all; the cap keeps a long frame from costing
// more than its head.

export class FrameText {
  private readonly bytes: Uint8Array;
  private length = 0;

  constructor(private readonly cap: number) {
    this.bytes = new Uint8Array(cap);
  }

  reset(): void {
    this.length = 0;
  }

  append(bytes: Uint8Array, start: number, end: number): void {
    const take = Math.min(end - start, this.cap - this.length);
    if (take <= 0) return;
    this.bytes.set(bytes.subarray(start, start + take), this.length);
    this.length += take;
  }

  /** The frame so far, up to the cap. */
  text(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.length).toString('utf8');
  }
}
