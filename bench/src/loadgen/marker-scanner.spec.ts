import { describe, expect, it } from 'vitest';
import { eventData } from './event-data.js';
import { MarkerScanner } from './marker-scanner.js';

function scanAll(chunks: readonly Uint8Array[], timed: boolean): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  const scanner = new MarkerScanner(timed, (seq, sent) => found.push([seq, sent]));
  for (const chunk of chunks) scanner.scan(chunk, 0, chunk.length);
  return found;
}

const bytes = (text: string) => Buffer.from(text, 'latin1');

// What Tidings writes for two events on an SSE stream: chunked framing, base64 cursors, JSON.
const TIDINGS_SSE =
  '27\r\nretry: 2000\n\nid: MQowLjAKYmVuY2ggMC4w\n\n\r\n' +
  `95\r\nid: MQowLjAKYmVuY2ggbXd5ZXY2cmcuMA\nevent: message\ndata: {"channel":"bench","id":"1795749464572-0","event":"message","data":"${eventData(1, 1795749464572123, 64)}"}\n\n\r\n` +
  `95\r\nid: MQowLjAKYmVuY2ggbXd5ZXY2cmcuMQ\nevent: message\ndata: {"channel":"bench","id":"1795749464573-0","event":"message","data":"${eventData(2, 1795749464573456, 64)}"}\n\n\r\n`;
// What Nchan writes: the raw data on the data line.
const NCHAN_SSE = `: hi\n\nid: 1795749760:0\ndata: ${eventData(7, 1000, 40)}\n\nid: 1795749760:1\ndata: ${eventData(8, 2000, 40)}\n\n`;

describe('MarkerScanner', () => {
  it('finds each event once in a Tidings SSE stream and in a Nchan one', () => {
    expect(scanAll([bytes(TIDINGS_SSE)], false).map(([seq]) => seq)).toEqual([1, 2]);
    expect(scanAll([bytes(NCHAN_SSE)], false).map(([seq]) => seq)).toEqual([7, 8]);
  });

  it('reads the send time only when timed', () => {
    expect(scanAll([bytes(TIDINGS_SSE)], true)).toEqual([
      [1, 1795749464572123],
      [2, 1795749464573456],
    ]);
    const untimed = scanAll([bytes(TIDINGS_SSE)], false);
    expect(untimed.every(([, sent]) => Number.isNaN(sent))).toBe(true);
  });

  it('finds the same markers whatever the chunk boundaries', () => {
    const whole = bytes(TIDINGS_SSE + NCHAN_SSE);
    const expected = scanAll([whole], true);
    for (let cut = 1; cut < whole.length; cut++) {
      expect(scanAll([whole.subarray(0, cut), whole.subarray(cut)], true)).toEqual(expected);
    }
    const oneByteAtATime = Array.from(whole, (b) => Uint8Array.of(b));
    expect(scanAll(oneByteAtATime, true)).toEqual(expected);
  });

  it('ignores what only looks like the start of a marker', () => {
    // A q without digits, digits without the dot, a cursor holding "q1", a q right before a marker.
    const text = 'qx q12 id: AAq1BB\n q q9z qq3.44.xx';
    expect(scanAll([bytes(text)], false).map(([seq]) => seq)).toEqual([3]);
    expect(scanAll([bytes(text)], true)).toEqual([[3, 44]]);
  });

  it('drops a marker whose send time is cut short when timed', () => {
    expect(scanAll([bytes('q5.12x q6.13.')], true)).toEqual([[6, 13]]);
  });

  it('does not treat an endless digit run as a sequence number', () => {
    expect(scanAll([bytes(`q${'9'.repeat(40)}. q4.`)], false).map(([seq]) => seq)).toEqual([4]);
  });

  it('forgets a marker begun before a reset (a new WebSocket frame cannot continue it)', () => {
    const found: number[] = [];
    const scanner = new MarkerScanner(false, (seq) => found.push(seq));
    scanner.scan(bytes('q12'), 0, 3);
    scanner.reset();
    scanner.scan(bytes('.q13.'), 0, 5);
    expect(found).toEqual([13]);
  });

  it('scans only the given range of a larger buffer', () => {
    const shared = bytes('q1.q2.q3.');
    const found: number[] = [];
    new MarkerScanner(false, (seq) => found.push(seq)).scan(shared, 3, 6);
    expect(found).toEqual([2]);
  });
});
