// The data string every server gets for event `seq`: `q<seq>.<sentMicros>.` padded with `x` to a
// fixed size. It needs no escaping in JSON or SSE, so Tidings' envelope, Nchan's raw `data:` line
// and a WebSocket frame all carry it verbatim, and the generator's marker scanner finds it in each.

export function eventData(seq: number, sentMicros: number, bytes: number): string {
  const marker = `q${seq}.${sentMicros}.`;
  return marker.length >= bytes ? marker : marker + 'x'.repeat(bytes - marker.length);
}
