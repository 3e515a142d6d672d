export interface SseEvent {
  /** The `id:` field of this event's block, when it had one. */
  id?: string;
  /** The `event:` field, `message` when absent. */
  event: string;
  /** The `data:` lines joined with '\n'. */
  data: string;
}

export interface SseHandlers {
  event(event: SseEvent): void;
  comment?(text: string): void;
  retry?(ms: number): void;
}

/**
 * An incremental parser for the `text/event-stream` format as WHATWG HTML §9.2 defines it: feed
 * it text in chunks split anywhere (even between the CR and LF of one line break). A leading BOM
 * is dropped; CR, LF and CRLF all end a line; `:` lines are comments; `retry:` counts only when
 * all ASCII digits; an `id:` containing NUL is ignored; a block with no data dispatches nothing
 * but still sets the last event id; an unterminated block at the end of the stream is discarded.
 */
export class SseParser {
  /** The stream's last event id (what a browser would send as Last-Event-ID); undefined until one is seen. */
  lastEventId: string | undefined;

  private buffer = '';
  private started = false;
  private skipLeadingLf = false;
  private data: string[] = [];
  private eventType = '';
  private blockId: string | undefined;
  private idBuffer: string | undefined;

  constructor(private readonly handlers: SseHandlers) {}

  feed(chunk: string): void {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    if (this.skipLeadingLf && text.length > 0) {
      this.skipLeadingLf = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    this.buffer += text;
    let start = 0;
    // Both searches are cached, so a chunk of many lines is scanned once, not once per line.
    let cr = this.buffer.indexOf('\r');
    let lf = this.buffer.indexOf('\n');
    for (;;) {
      if (cr !== -1 && cr < start) cr = this.buffer.indexOf('\r', start);
      if (lf !== -1 && lf < start) lf = this.buffer.indexOf('\n', start);
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (end === -1) break;
      this.line(this.buffer.slice(start, end));
      if (this.buffer[end] === '\r') {
        if (end + 1 === this.buffer.length) this.skipLeadingLf = true;
        else if (this.buffer[end + 1] === '\n') {
          start = end + 2;
          continue;
        }
      }
      start = end + 1;
    }
    this.buffer = this.buffer.slice(start);
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) {
      this.handlers.comment?.(line.slice(line.startsWith(': ') ? 2 : 1));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) {
          this.idBuffer = value;
          this.blockId = value;
        }
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) this.handlers.retry?.(Number(value));
        break;
      default:
        // Unknown fields are ignored, as the spec says.
        break;
    }
  }

  private dispatch(): void {
    this.lastEventId = this.idBuffer;
    const data = this.data;
    const event: SseEvent = { event: this.eventType === '' ? 'message' : this.eventType, data: data.join('\n') };
    if (this.blockId !== undefined) event.id = this.blockId;
    this.data = [];
    this.eventType = '';
    this.blockId = undefined;
    if (data.length > 0) this.handlers.event(event);
  }
}
